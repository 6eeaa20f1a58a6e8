"""SQL for household accounts. Every function takes a DuckDB cursor first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from appliance import clock
from appliance.accounts.shapes import ApiToken, SessionInfo, User, UserUpdate
from appliance.storage import Reader, Writer, scalar
from appliance.storage.ownership import erase_member

_USER_COLUMNS = "id, username, display_name, role, disabled, created_at"


def _user(row: tuple[Any, ...]) -> User:
    return User(id=row[0], username=row[1], display_name=row[2], role=row[3], disabled=row[4], created_at=row[5])


def count_users(conn: Reader) -> int:
    return int(scalar(conn, "SELECT count(*) FROM users"))


def count_active_admins(conn: Reader, excluding: str) -> int:
    return int(
        scalar(conn, "SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND id <> ?", [excluding])
    )


def all_users(conn: Reader) -> list[User]:
    rows = conn.execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY lower(display_name), username").fetchall()
    return [_user(r) for r in rows]


def user_by_id(conn: Reader, user_id: str) -> User | None:
    row = conn.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE id = ?", [user_id]).fetchone()
    return _user(row) if row else None


def user_by_name(conn: Reader, username: str) -> User | None:
    row = conn.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE username = ?", [username]).fetchone()
    return _user(row) if row else None


def credentials_by_name(conn: Reader, username: str) -> tuple[User, str] | None:
    row = conn.execute(f"SELECT {_USER_COLUMNS}, password_hash FROM users WHERE username = ?", [username]).fetchone()
    return (_user(row[:6]), row[6]) if row else None


def password_hash(conn: Reader, user_id: str) -> str | None:
    row = conn.execute("SELECT password_hash FROM users WHERE id = ?", [user_id]).fetchone()
    return row[0] if row else None


def insert_user(conn: Writer, user: User, password_hash: str) -> None:
    conn.execute(
        "INSERT INTO users (id, username, display_name, role, password_hash, disabled, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            user.id,
            user.username,
            user.display_name,
            user.role,
            password_hash,
            user.disabled,
            user.created_at,
            user.created_at,
        ],
    )


def update_user(conn: Writer, user_id: str, change: UserUpdate, new_hash: str | None) -> None:
    fields: dict[str, Any] = {
        "display_name": change.display_name,
        "role": change.role,
        "disabled": change.disabled,
        "password_hash": new_hash,
    }
    assignments = {k: v for k, v in fields.items() if v is not None}
    assignments["updated_at"] = clock.now()
    sql = ", ".join(f"{column} = ?" for column in assignments)
    conn.execute(f"UPDATE users SET {sql} WHERE id = ?", [*assignments.values(), user_id])


def set_password(conn: Writer, user_id: str, new_hash: str) -> None:
    update_user(conn, user_id, UserUpdate(), new_hash)


def delete_user_everywhere(conn: Writer, user_id: str) -> None:
    erase_member(conn, user_id)


# --- sessions ---------------------------------------------------------------


def insert_session(
    conn: Writer, session_id: str, user_id: str, csrf: str, agent: str, created: datetime, expires: datetime
) -> None:
    conn.execute(
        "INSERT INTO sessions (id, user_id, csrf_token, user_agent, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        [session_id, user_id, csrf, agent, created, expires],
    )


def session_principal_row(conn: Reader, session_id: str, at: datetime) -> tuple[Any, ...] | None:
    return conn.execute(
        "SELECT u.id, u.username, u.display_name, u.role, s.csrf_token, s.expires_at"
        " FROM sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.id = ? AND s.expires_at > ? AND NOT u.disabled",
        [session_id, at],
    ).fetchone()


def extend_session(conn: Writer, session_id: str, expires: datetime) -> None:
    conn.execute("UPDATE sessions SET expires_at = ? WHERE id = ?", [expires, session_id])


def sessions_of(conn: Reader, user_id: str, at: datetime) -> list[SessionInfo]:
    rows = conn.execute(
        "SELECT id, user_agent, created_at, expires_at FROM sessions"
        " WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC",
        [user_id, at],
    ).fetchall()
    return [SessionInfo(id=r[0], user_agent=r[1], created_at=r[2], expires_at=r[3]) for r in rows]


def delete_session(conn: Writer, user_id: str, session_id: str) -> bool:
    row = conn.execute(
        "DELETE FROM sessions WHERE id = ? AND user_id = ? RETURNING id", [session_id, user_id]
    ).fetchone()
    return row is not None


def delete_sessions_of(conn: Writer, user_id: str) -> None:
    conn.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])


def delete_other_sessions(conn: Writer, user_id: str, keep: str | None) -> list[str]:
    rows = conn.execute(
        "DELETE FROM sessions WHERE user_id = ? AND id IS DISTINCT FROM ? RETURNING id", [user_id, keep]
    ).fetchall()
    return [r[0] for r in rows]


def session_expiry(conn: Reader, session_id: str, at: datetime) -> datetime | None:
    """When this sign-in lapses, if it is still live and its member active."""
    row = conn.execute(
        "SELECT s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.id = ? AND s.expires_at > ? AND NOT u.disabled",
        [session_id, at],
    ).fetchone()
    return row[0] if row else None


def delete_expired_sessions(conn: Writer, at: datetime) -> int:
    return len(conn.execute("DELETE FROM sessions WHERE expires_at <= ? RETURNING id", [at]).fetchall())


# --- API tokens -------------------------------------------------------------

_TOKEN_COLUMNS = "id, name, prefix, created_at, last_used_at"


def _token(row: tuple[Any, ...]) -> ApiToken:
    return ApiToken(id=row[0], name=row[1], prefix=row[2], created_at=row[3], last_used_at=row[4])


def insert_token(conn: Writer, user_id: str, token: ApiToken, token_hash: str) -> None:
    conn.execute(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [token.id, user_id, token.name, token_hash, token.prefix, token.created_at],
    )


def tokens_of(conn: Reader, user_id: str) -> list[ApiToken]:
    rows = conn.execute(
        f"SELECT {_TOKEN_COLUMNS} FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC", [user_id]
    ).fetchall()
    return [_token(r) for r in rows]


def token_of(conn: Reader, user_id: str, token_id: str) -> ApiToken | None:
    row = conn.execute(
        f"SELECT {_TOKEN_COLUMNS} FROM api_tokens WHERE user_id = ? AND id = ?", [user_id, token_id]
    ).fetchone()
    return _token(row) if row else None


def delete_token(conn: Writer, user_id: str, token_id: str) -> bool:
    row = conn.execute(
        "DELETE FROM api_tokens WHERE id = ? AND user_id = ? RETURNING id", [token_id, user_id]
    ).fetchone()
    return row is not None


def token_principal_row(conn: Reader, token_hash: str) -> tuple[Any, ...] | None:
    return conn.execute(
        "SELECT u.id, u.username, u.display_name, u.role, t.id, t.last_used_at"
        " FROM api_tokens t JOIN users u ON u.id = t.user_id"
        " WHERE t.token_hash = ? AND NOT u.disabled",
        [token_hash],
    ).fetchone()


def touch_token(conn: Writer, token_id: str, at: datetime) -> None:
    conn.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", [at, token_id])


def delete_tokens_of(conn: Writer, user_id: str) -> None:
    conn.execute("DELETE FROM api_tokens WHERE user_id = ?", [user_id])


def token_active(conn: Reader, token_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ? AND NOT u.disabled", [token_id]
    ).fetchone()
    return row is not None


# --- failed sign-ins (the throttle) -------------------------------------------


def record_login_failure(conn: Writer, name: str, address: str, at: datetime, horizon: datetime) -> None:
    """One failure; rows that left the window go in the same transaction, so the table stays small."""
    conn.execute("DELETE FROM login_failures WHERE failed_at <= ?", [horizon])
    conn.execute("INSERT INTO login_failures (username, address, failed_at) VALUES (?, ?, ?)", [name, address, at])


def clear_name_failures(conn: Writer, name: str, address: str) -> None:
    conn.execute(
        "UPDATE login_failures SET name_cleared = true WHERE username = ? AND address = ? AND NOT name_cleared",
        [name, address],
    )


def login_failures_since(conn: Reader, horizon: datetime) -> list[tuple[str, str, datetime, bool]]:
    return conn.execute(
        "SELECT username, address, failed_at, name_cleared FROM login_failures WHERE failed_at > ? ORDER BY failed_at",
        [horizon],
    ).fetchall()
