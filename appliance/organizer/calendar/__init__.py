"""Calendars and their events: time zones, all-day events, repeats, ICS in and out, subscriptions."""
