"""CalDAV: two-way sync of events (VEVENT) and tasks (VTODO) with the household's server."""
