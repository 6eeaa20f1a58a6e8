"""Enrolment's SQL, in one place. Every statement names the member: nothing crosses members."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from appliance.storage.database import Reader, Writer, scalar

_STALE = timedelta(minutes=10)
_ENROLMENT = (
    "state, samples, head, threshold, before_detected, after_detected, before_score, after_score, detail, updated_at"
)


def add_sample(conn: Writer, sample_id: str, user_id: str, audio: bytes, at: datetime, limit: int) -> int | None:
    """Store a sample unless the member already has `limit`; the count after, or None when full."""
    count = int(scalar(conn, "SELECT count(*) FROM voice_wake_samples WHERE user_id = ?", [user_id]))
    if count >= limit:
        return None
    conn.execute(
        "INSERT INTO voice_wake_samples (id, user_id, audio, created_at) VALUES (?, ?, ?, ?)",
        [sample_id, user_id, audio, at],
    )
    return count + 1


def count_samples(conn: Reader, user_id: str) -> int:
    return int(scalar(conn, "SELECT count(*) FROM voice_wake_samples WHERE user_id = ?", [user_id]))


def samples(conn: Reader, user_id: str) -> list[bytes]:
    rows = conn.execute(
        "SELECT audio FROM voice_wake_samples WHERE user_id = ? ORDER BY created_at, id", [user_id]
    ).fetchall()
    return [bytes(r[0]) for r in rows]


def enrolment(conn: Reader, user_id: str) -> tuple[Any, ...] | None:
    return conn.execute(f"SELECT {_ENROLMENT} FROM voice_wake_enrolments WHERE user_id = ?", [user_id]).fetchone()


def start_training(conn: Writer, user_id: str, at: datetime) -> bool:
    """Mark training begun; False when it already is (one at a time per member). A training left
    behind by a stopped server is stale after a few minutes, so it never locks the member out."""
    row = conn.execute("SELECT state, updated_at FROM voice_wake_enrolments WHERE user_id = ?", [user_id]).fetchone()
    if row is not None and row[0] == "training" and row[1] > at - _STALE:
        return False
    samples_now = count_samples(conn, user_id)
    conn.execute(
        "INSERT OR REPLACE INTO voice_wake_enrolments (user_id, state, samples, updated_at)"
        " VALUES (?, 'training', ?, ?)",
        [user_id, samples_now, at],
    )
    return True


def save_result(conn: Writer, user_id: str, values: dict[str, Any], at: datetime) -> None:
    columns = ", ".join(f"{name} = ?" for name in values)
    conn.execute(
        f"UPDATE voice_wake_enrolments SET {columns}, updated_at = ? WHERE user_id = ?",
        [*values.values(), at, user_id],
    )


def forget(conn: Writer, user_id: str) -> None:
    conn.execute("DELETE FROM voice_wake_samples WHERE user_id = ?", [user_id])
    conn.execute("DELETE FROM voice_wake_enrolments WHERE user_id = ?", [user_id])


def head(conn: Reader, user_id: str) -> bytes | None:
    row = conn.execute(
        "SELECT head FROM voice_wake_enrolments WHERE user_id = ? AND state = 'trained'", [user_id]
    ).fetchone()
    return bytes(row[0]) if row and row[0] is not None else None
