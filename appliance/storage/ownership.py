"""Which rows belong to a member: erased, all of them, when the member is removed.

The schema lives in this package's migrations, so the list of a member's private
tables lives beside it. A migration that adds a private table adds it here too
(a test checks every table with a `user_id` or `owner` column is listed).
"""

from __future__ import annotations

from appliance.storage.database import Writer

__all__ = ["MEMBER_TABLES", "MEMBER_REFERENCES", "KEPT_TABLES", "erase_member"]

# (table, the column naming the member); children before parents.
MEMBER_TABLES: tuple[tuple[str, str], ...] = (
    ("sessions", "user_id"),
    ("api_tokens", "user_id"),
    ("vault_secrets", "owner"),
    ("provider_keys", "owner"),
    ("ai_preferences", "user_id"),
    ("conversations", "user_id"),
    ("notes", "owner"),
    ("documents", "owner"),
    ("organizer_reminders", "user_id"),
    ("organizer_feeds", "user_id"),
    ("organizer_list_items", "owner"),
    ("organizer_lists", "owner"),
    ("organizer_events", "owner"),
    ("organizer_tasks", "owner"),
    ("organizer_sync_tombstones", "owner"),
    ("organizer_calendars", "owner"),
    ("organizer_caldav_accounts", "owner"),
    ("voice_satellites", "user_id"),
    ("voice_wake_samples", "user_id"),
    ("voice_wake_enrolments", "user_id"),
    ("connector_records", "owner"),
    ("connector_items", "owner"),
    ("connections", "owner"),
)
# Shared rows that merely point at a member: the pointer is cleared, the row stays the household's.
MEMBER_REFERENCES: tuple[tuple[str, str], ...] = (("organizer_tasks", "assignee"),)
# Tables with a member column that outlive the member: the household's cost ledger, and failed
# sign-ins (keyed by the name tried, which may name nobody; they age out of the throttle's window
# within minutes, and a new member given the name should not lift a lock-out on guessing it).
KEPT_TABLES = frozenset({"ai_usage", "login_failures"})


def erase_member(conn: Writer, user_id: str) -> None:
    """Delete everything private to `user_id` (inside the caller's transaction)."""
    conn.execute(
        "DELETE FROM chat_messages WHERE conversation_id IN (SELECT id FROM conversations WHERE user_id = ?)",
        [user_id],
    )
    for table, column in MEMBER_TABLES:
        conn.execute(f"DELETE FROM {table} WHERE {column} = ?", [user_id])
    for table, column in MEMBER_REFERENCES:
        conn.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} = ?", [user_id])
    conn.execute("DELETE FROM users WHERE id = ?", [user_id])
