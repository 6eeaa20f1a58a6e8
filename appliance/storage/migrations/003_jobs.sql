-- History of background jobs, reported by the worker through the server.
CREATE TABLE job_runs (
    id           VARCHAR PRIMARY KEY,   -- huey task id
    name         VARCHAR NOT NULL,
    state        VARCHAR NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    detail       VARCHAR NOT NULL DEFAULT '',
    queued_at    TIMESTAMP,
    started_at   TIMESTAMP,
    finished_at  TIMESTAMP
);

CREATE TABLE worker_heartbeats (
    worker       VARCHAR PRIMARY KEY,
    seen_at      TIMESTAMP NOT NULL
);
