-- Reminders are delivered under a lease: a claim names the server run delivering it and lasts until
-- `claimed_until`; `fired_at` is set only once it was handed to the member's pages and announcers.
-- A claim by a run that has ended (Atom was killed between claim and delivery) is taken again.
ALTER TABLE organizer_reminders ADD COLUMN claimed_by VARCHAR;
ALTER TABLE organizer_reminders ADD COLUMN claimed_until TIMESTAMP;

-- CalDAV: how often a linked calendar syncs (NULL: the household's `organizer.caldav_sync_minutes`),
-- and what to do about the last sync's error.
ALTER TABLE organizer_calendars ADD COLUMN sync_minutes INTEGER;
ALTER TABLE organizer_calendars ADD COLUMN sync_advice VARCHAR;

-- A task from a CalDAV server keeps its VTODO as the server had it, so what Atom does not model
-- (categories, alarms, attendees, X- properties) goes back untouched; NULL for Atom's own tasks.
ALTER TABLE organizer_tasks ADD COLUMN ics VARCHAR;

-- A server with a certificate no public authority signed (a NAS): the one certificate the member
-- trusted on first contact (PEM) and its SHA-256, kept per account. NULL: the system's authorities.
ALTER TABLE organizer_caldav_accounts ADD COLUMN cert_pem VARCHAR;
ALTER TABLE organizer_caldav_accounts ADD COLUMN cert_sha256 VARCHAR;
