"""Reminders: fire once, on time through the job worker, or late with a note; never twice, never lost."""
