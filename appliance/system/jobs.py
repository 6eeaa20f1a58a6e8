"""Job history and worker heartbeats, as recorded by the server."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from appliance import clock
from appliance.accounts import queries as accounts
from appliance.storage import Database, Reader, Writer, scalar
from appliance.system.shapes import Housekeeping, JobRun, JobRunReport

__all__ = [
    "record_queued",
    "record_report",
    "QUIET_JOBS",
    "recent_runs",
    "record_heartbeat",
    "last_heartbeat",
    "housekeep",
    "failures_by_job",
    "running_runs",
]

_COLUMNS = "id, name, state, detail, queued_at, started_at, finished_at"
QUIET_JOBS = frozenset({"heartbeat"})  # run every minute: history would be nothing but these


async def record_queued(db: Database, job_id: str, name: str) -> None:
    await db.write(_upsert, JobRunReport(id=job_id, name=name, state="queued"))


async def record_report(db: Database, report: JobRunReport) -> bool:
    """Record what the worker says of a run; False when it was not worth keeping (a quiet job's routine run)."""
    return await db.write(_record_report, report)


async def recent_runs(db: Database, limit: int = 50) -> list[JobRun]:
    return await db.read(_recent, limit)


async def record_heartbeat(db: Database, worker: str) -> None:
    await db.write(_beat, worker, clock.now())


async def last_heartbeat(db: Database) -> datetime | None:
    return await db.read(_last_beat)


async def housekeep(db: Database, keep_days: int) -> Housekeeping:
    return await db.write(_housekeep, clock.now(), timedelta(days=keep_days))


async def failures_by_job(db: Database) -> dict[str, int]:
    """Failed runs in the kept history (`jobs.history_days`), by job name."""
    return await db.read(_failures)


async def running_runs(db: Database, within: timedelta = timedelta(hours=6)) -> list[JobRun]:
    """Runs the worker says are running, begun within `within` (older ones died with a killed worker)."""
    return await db.read(_running, clock.now() - within)


def _running(conn: Reader, since: datetime) -> list[JobRun]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM job_runs WHERE state = 'running' AND started_at >= ? ORDER BY started_at", [since]
    ).fetchall()
    return [_run(r) for r in rows]


def _failures(conn: Reader) -> dict[str, int]:
    rows = conn.execute("SELECT name, count(*) FROM job_runs WHERE state = 'failed' GROUP BY name").fetchall()
    return {name: count for name, count in rows}


def _run(row: tuple[Any, ...]) -> JobRun:
    return JobRun(
        id=row[0], name=row[1], state=row[2], detail=row[3], queued_at=row[4], started_at=row[5], finished_at=row[6]
    )


def _record_report(conn: Writer, report: JobRunReport) -> bool:
    """Quiet jobs (the minutely heartbeat) are kept only when someone queued them by hand."""
    if report.name in QUIET_JOBS and _one(conn, report.id) is None:
        return False
    _upsert(conn, report)
    return True


def _upsert(conn: Writer, report: JobRunReport) -> None:
    """Insert or move a run on. "queued" never overwrites: a fast worker may report first."""
    at = clock.now()
    stamps = {"queued": ("queued_at", at), "running": ("started_at", at)}
    column, _ = stamps.get(report.state, ("finished_at", at))
    on_conflict = (
        "DO NOTHING"
        if report.state == "queued"
        else f"DO UPDATE SET state = excluded.state, detail = excluded.detail, {column} = excluded.{column}"
    )
    conn.execute(
        f"INSERT INTO job_runs (id, name, state, detail, {column}) VALUES (?, ?, ?, ?, ?)"
        f" ON CONFLICT (id) {on_conflict}",
        [report.id, report.name, report.state, report.detail, at],
    )


def _recent(conn: Reader, limit: int) -> list[JobRun]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM job_runs"
        " ORDER BY coalesce(finished_at, started_at, queued_at) DESC NULLS LAST LIMIT ?",
        [limit],
    ).fetchall()
    return [_run(r) for r in rows]


def _one(conn: Reader, job_id: str) -> JobRun | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM job_runs WHERE id = ?", [job_id]).fetchone()
    return _run(row) if row else None


def _beat(conn: Writer, worker: str, at: datetime) -> None:
    conn.execute(
        "INSERT INTO worker_heartbeats (worker, seen_at) VALUES (?, ?)"
        " ON CONFLICT (worker) DO UPDATE SET seen_at = excluded.seen_at",
        [worker, at],
    )


def _last_beat(conn: Reader) -> datetime | None:
    return scalar(conn, "SELECT max(seen_at) FROM worker_heartbeats")


def _housekeep(conn: Writer, at: datetime, keep: timedelta) -> Housekeeping:
    sessions = accounts.delete_expired_sessions(conn, at)
    old = conn.execute(
        "DELETE FROM job_runs WHERE coalesce(finished_at, started_at, queued_at) < ? RETURNING id", [at - keep]
    ).fetchall()
    return Housekeeping(expired_sessions=sessions, old_job_runs=len(old))
