-- The household organizer: lists, tasks, calendars, reminders and CalDAV links.
-- `owner` NULL marks a row the household shares; otherwise it is private to that member (and
-- erased with them). Child rows repeat their parent's owner so an erasure finds them directly.
-- Times are UTC unless a column says "wall-clock".

-- Household preferences (one row): the time zone events, tasks and views default to.
CREATE TABLE organizer_household (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    timezone   VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE organizer_lists (
    id         VARCHAR PRIMARY KEY,
    owner      VARCHAR,
    name       VARCHAR NOT NULL,
    created_by VARCHAR,                    -- NULL for the lists every household starts with
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO organizer_lists VALUES
    ('shopping', NULL, 'Shopping', NULL, CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP), CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP)),
    ('chores', NULL, 'Chores', NULL, CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP), CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP));

CREATE TABLE organizer_list_items (
    id         VARCHAR PRIMARY KEY,
    list_id    VARCHAR NOT NULL,
    owner      VARCHAR,                    -- the list's
    text       VARCHAR NOT NULL,
    done       BOOLEAN NOT NULL,
    position   DOUBLE NOT NULL,
    added_by   VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX organizer_list_items_list ON organizer_list_items (list_id);

CREATE TABLE organizer_calendars (
    id             VARCHAR PRIMARY KEY,
    owner          VARCHAR,
    name           VARCHAR NOT NULL,
    color          VARCHAR NOT NULL,
    created_by     VARCHAR,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    -- CalDAV: the remote collection this calendar syncs with, and where the last sync left off
    caldav_account VARCHAR,
    remote_url     VARCHAR,
    sync_token     VARCHAR,
    synced_at      TIMESTAMP,
    sync_error     VARCHAR
);
INSERT INTO organizer_calendars (id, owner, name, color, created_by, created_at, updated_at) VALUES
    ('household', NULL, 'Household', '#2f6f4f', NULL,
     CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP), CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP));

-- Each event is one iCalendar object: the master VEVENT with its overridden instances, kept whole
-- in `ics`; the other columns are copies of it for listing, range queries and sync.
CREATE TABLE organizer_events (
    id          VARCHAR PRIMARY KEY,
    calendar_id VARCHAR NOT NULL,
    owner       VARCHAR,                   -- the calendar's
    uid         VARCHAR NOT NULL,
    title       VARCHAR NOT NULL,
    starts_at   TIMESTAMP NOT NULL,        -- first start (all-day: the date at midnight, floating)
    ends_at     TIMESTAMP NOT NULL,        -- end of the first occurrence
    all_day     BOOLEAN NOT NULL,
    tz          VARCHAR NOT NULL,
    recurring   BOOLEAN NOT NULL,
    ics         VARCHAR NOT NULL,
    created_by  VARCHAR,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    href        VARCHAR,                   -- CalDAV resource, once synced
    etag        VARCHAR,
    dirty       BOOLEAN NOT NULL,          -- changed here since the last sync
    conflict    VARCHAR                    -- what a sync conflict did to it, until the member dismisses it
);
CREATE INDEX organizer_events_calendar ON organizer_events (calendar_id);

CREATE TABLE organizer_tasks (
    id           VARCHAR PRIMARY KEY,
    owner        VARCHAR,
    calendar_id  VARCHAR,                  -- the calendar (and so CalDAV collection) it syncs with
    uid          VARCHAR NOT NULL,
    title        VARCHAR NOT NULL,
    notes        VARCHAR NOT NULL,
    due_date     DATE,                     -- wall-clock in tz
    due_time     TIME,                     -- wall-clock in tz; NULL: any time that day
    tz           VARCHAR NOT NULL,
    priority     VARCHAR NOT NULL,
    assignee     VARCHAR,
    rrule        VARCHAR,
    source       VARCHAR NOT NULL,
    completed_at TIMESTAMP,
    created_by   VARCHAR,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    href         VARCHAR,
    etag         VARCHAR,
    dirty        BOOLEAN NOT NULL,
    conflict     VARCHAR
);

-- Deleted here, not yet deleted on the CalDAV server.
CREATE TABLE organizer_sync_tombstones (
    calendar_id VARCHAR NOT NULL,
    owner       VARCHAR,
    href        VARCHAR NOT NULL,
    etag        VARCHAR,
    deleted_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (calendar_id, href)
);

-- The password is in the vault as 'caldav:<id>' (owner: the member, or the household's for NULL).
CREATE TABLE organizer_caldav_accounts (
    id         VARCHAR PRIMARY KEY,
    owner      VARCHAR,
    label      VARCHAR NOT NULL,
    url        VARCHAR NOT NULL,
    username   VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- A member's calendar subscription address: only the SHA-256 of its secret is kept.
CREATE TABLE organizer_feeds (
    user_id    VARCHAR PRIMARY KEY,
    key_hash   VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE organizer_reminders (
    id         VARCHAR PRIMARY KEY,
    user_id    VARCHAR NOT NULL,           -- the member it reaches
    title      VARCHAR NOT NULL,
    task_id    VARCHAR,
    event_id   VARCHAR,
    remind_at  TIMESTAMP NOT NULL,
    fired_at   TIMESTAMP,                  -- set once, in the transaction that claims it
    late_note  VARCHAR,
    created_at TIMESTAMP NOT NULL
);
