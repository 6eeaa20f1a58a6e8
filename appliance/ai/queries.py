"""SQL for the AI area: conversations, provider keys, preferences, prices and the cost ledger.

Every function takes a DuckDB cursor first; the modules named after each table's idea decide
what to read and write, in one transaction (`Database.read`/`write`), and call these.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import msgspec

from appliance import clock
from appliance.ai.shapes import (
    Conversation,
    LedgerEntry,
    Preferences,
    PriceUpdate,
    ProviderKey,
    ProviderSpend,
    RequestRecord,
    StoredMessage,
)
from appliance.storage import Reader, Writer
from appliance.vault import HOUSEHOLD

# --- conversations ------------------------------------------------------------------------------

_CONVERSATION = "SELECT id, title, created_at, updated_at FROM conversations"


def _conversation(row: tuple[Any, ...]) -> Conversation:
    return Conversation(id=row[0], title=row[1], created_at=row[2], updated_at=row[3])


def insert_conversation(conn: Writer, user_id: str, c: Conversation) -> None:
    conn.execute(
        "INSERT INTO conversations (id, user_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        [c.id, user_id, c.title, c.created_at, c.updated_at],
    )


def conversations_of(conn: Reader, user_id: str) -> list[Conversation]:
    rows = conn.execute(f"{_CONVERSATION} WHERE user_id = ? ORDER BY updated_at DESC, id", [user_id]).fetchall()
    return [_conversation(r) for r in rows]


def conversation(conn: Reader, user_id: str, conversation_id: str) -> Conversation | None:
    row = conn.execute(f"{_CONVERSATION} WHERE user_id = ? AND id = ?", [user_id, conversation_id]).fetchone()
    return _conversation(row) if row else None


def messages(conn: Reader, conversation_id: str) -> list[StoredMessage]:
    rows = conn.execute(
        "SELECT id, role, content, provider, model, created_at, fallback FROM chat_messages"
        " WHERE conversation_id = ? ORDER BY created_at, id",
        [conversation_id],
    ).fetchall()
    return [
        StoredMessage(id=r[0], role=r[1], content=r[2], provider=r[3], model=r[4], created_at=r[5], fallback=r[6])
        for r in rows
    ]


def insert_message(conn: Writer, conversation_id: str, m: StoredMessage) -> None:
    conn.execute(
        "INSERT INTO chat_messages (id, conversation_id, role, content, provider, model, created_at, fallback)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [m.id, conversation_id, m.role, m.content, m.provider, m.model, m.created_at, m.fallback],
    )


def update_conversation(conn: Writer, c: Conversation) -> None:
    conn.execute("UPDATE conversations SET title = ?, updated_at = ? WHERE id = ?", [c.title, c.updated_at, c.id])


def delete_conversation(conn: Writer, conversation_id: str) -> None:
    conn.execute("DELETE FROM chat_messages WHERE conversation_id = ?", [conversation_id])
    conn.execute("DELETE FROM conversations WHERE id = ?", [conversation_id])


# --- provider keys (the secrets themselves are in the vault) -----------------------------------

_KEY_COLUMNS = "id, owner, provider, label, base_url, options, default_model, key_hint, created_at, updated_at"
_READ_KEY_COLUMNS = _KEY_COLUMNS + ", address_changed_at, last_test_ok, last_test, last_tested_at, on_own_network"


def _key(row: tuple[Any, ...]) -> ProviderKey:
    return ProviderKey(
        id=row[0],
        shared=row[1] == HOUSEHOLD,
        provider=row[2],
        label=row[3],
        base_url=row[4],
        options=msgspec.json.decode(row[5]),
        default_model=row[6],
        key_hint=row[7],
        created_at=row[8],
        updated_at=row[9],
        address_changed_at=row[10] if len(row) > 10 else None,
        last_test_ok=row[11] if len(row) > 11 else None,
        last_test=(row[12] or "") if len(row) > 12 else "",
        last_tested_at=row[13] if len(row) > 13 else None,
        on_own_network=bool(row[14]) if len(row) > 14 else False,
    )


def insert_key(conn: Writer, owner: str, k: ProviderKey) -> None:
    values = [k.id, owner, k.provider, k.label, k.base_url, json.dumps(k.options), k.default_model, k.key_hint]
    conn.execute(
        f"INSERT INTO provider_keys ({_KEY_COLUMNS}, on_own_network) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [*values, k.created_at, k.updated_at, k.on_own_network],
    )


def keys_visible_to(conn: Reader, user_id: str) -> list[ProviderKey]:
    """The member's own keys, then the household's, oldest first."""
    rows = conn.execute(
        f"SELECT {_READ_KEY_COLUMNS} FROM provider_keys WHERE owner IN (?, ?) ORDER BY owner = ?, created_at, id",
        [user_id, HOUSEHOLD, HOUSEHOLD],
    ).fetchall()
    return [_key(r) for r in rows]


def _address_changes(conn: Writer, key_id: str, base_url: str | None) -> bool:
    """True when a household key is pointed at another server (a member's own key changes unremarked)."""
    row = conn.execute("SELECT owner, base_url FROM provider_keys WHERE id = ?", [key_id]).fetchone()
    return row is not None and row[0] == HOUSEHOLD and row[1] != base_url


def update_key(conn: Writer, key_id: str, fields: dict[str, Any]) -> None:
    """Set the given columns (`options` as a dict); the names come from our code, never a request."""
    values = {**fields, "updated_at": clock.now()}
    if "base_url" in fields and _address_changes(conn, key_id, fields["base_url"]):
        values["address_changed_at"] = values["updated_at"]
    if "options" in values:
        values["options"] = json.dumps(values["options"])
    assignments = ", ".join(f"{column} = ?" for column in values)
    conn.execute(f"UPDATE provider_keys SET {assignments} WHERE id = ?", [*values.values(), key_id])


def record_key_test(conn: Writer, key_id: str, ok: bool, said: str, at: datetime) -> None:
    """A test's verdict; not an edit of the key, so `updated_at` stays."""
    conn.execute(
        "UPDATE provider_keys SET last_test_ok = ?, last_test = ?, last_tested_at = ? WHERE id = ?",
        [ok, said[:500], at, key_id],
    )


def delete_key(conn: Writer, key_id: str) -> None:
    conn.execute("DELETE FROM provider_keys WHERE id = ?", [key_id])


# --- each member's routing preferences ----------------------------------------------------------


def preferences(conn: Reader, user_id: str) -> Preferences | None:
    row = conn.execute(
        "SELECT policy, fixed_key, fallbacks, monthly_budget_usd, over_budget FROM ai_preferences WHERE user_id = ?",
        [user_id],
    ).fetchone()
    if row is None:
        return None
    return Preferences(
        policy=row[0], fixed_key=row[1], fallbacks=json.loads(row[2]), monthly_budget_usd=row[3], over_budget=row[4]
    )


def save_preferences(conn: Writer, user_id: str, p: Preferences) -> None:
    conn.execute(
        "INSERT INTO ai_preferences (user_id, policy, fixed_key, fallbacks, monthly_budget_usd, over_budget,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET policy = excluded.policy,"
        " fixed_key = excluded.fixed_key, fallbacks = excluded.fallbacks,"
        " monthly_budget_usd = excluded.monthly_budget_usd, over_budget = excluded.over_budget,"
        " updated_at = excluded.updated_at",
        [user_id, p.policy, p.fixed_key, json.dumps(p.fallbacks), p.monthly_budget_usd, p.over_budget, clock.now()],
    )


# --- the admin's price edits --------------------------------------------------------------------


def price_edits(conn: Reader) -> dict[tuple[str, str], tuple[float, float]]:
    rows = conn.execute("SELECT provider, model, input_per_mtok, output_per_mtok FROM model_prices").fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def save_price(conn: Writer, provider: str, model: str, price: PriceUpdate) -> None:
    conn.execute(
        "INSERT INTO model_prices (provider, model, input_per_mtok, output_per_mtok, updated_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (provider, model) DO UPDATE SET input_per_mtok = excluded.input_per_mtok,"
        " output_per_mtok = excluded.output_per_mtok, updated_at = excluded.updated_at",
        [provider, model, price.input_per_mtok, price.output_per_mtok, clock.now()],
    )


def delete_price(conn: Writer, provider: str, model: str) -> None:
    conn.execute("DELETE FROM model_prices WHERE provider = ? AND model = ?", [provider, model])


# --- the cost ledger -----------------------------------------------------------------------------


def insert_usage(conn: Writer, entry_id: str, e: LedgerEntry, at: datetime) -> None:
    conn.execute(
        "INSERT INTO ai_usage (id, user_id, provider, model, key_id, input_tokens, output_tokens, cost_usd,"
        " premium_cost_usd, latency_ms, outcome, error, source, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entry_id,
            e.user_id,
            e.provider,
            e.model,
            e.key_id,
            e.input_tokens,
            e.output_tokens,
            e.cost_usd,
            e.premium_cost_usd,
            e.latency_ms,
            e.outcome,
            e.error[:500],
            e.source,
            at,
        ],
    )


def sums_since(conn: Reader, user_id: str, since: datetime) -> tuple[float, float]:
    """What the member spent since `since`, and what the priciest configured model would have cost."""
    row = conn.execute(
        "SELECT coalesce(sum(cost_usd), 0), coalesce(sum(premium_cost_usd), 0) FROM ai_usage"
        " WHERE user_id = ? AND created_at >= ?",
        [user_id, since],
    ).fetchone()
    assert row is not None  # aggregates always return one row
    return float(row[0]), float(row[1])


def spend_by_provider(conn: Reader, user_id: str, since: datetime) -> list[ProviderSpend]:
    rows = conn.execute(
        "SELECT provider, count(*), sum(input_tokens), sum(output_tokens), sum(cost_usd) FROM ai_usage"
        " WHERE user_id = ? AND created_at >= ? GROUP BY provider ORDER BY sum(cost_usd) DESC, provider",
        [user_id, since],
    ).fetchall()
    return [
        ProviderSpend(
            provider=r[0],
            requests=r[1],
            input_tokens=int(r[2]),
            output_tokens=int(r[3]),
            cost_usd=round(float(r[4]), 10),
        )
        for r in rows
    ]


def recent_requests(conn: Reader, user_id: str, limit: int) -> list[RequestRecord]:
    rows = conn.execute(
        "SELECT created_at, provider, model, outcome, error, cost_usd FROM ai_usage"
        " WHERE user_id = ? ORDER BY created_at DESC LIMIT ?",
        [user_id, limit],
    ).fetchall()
    return [
        RequestRecord(created_at=r[0], provider=r[1], model=r[2], outcome=r[3], error=r[4] or "", cost_usd=float(r[5]))
        for r in rows
    ]
