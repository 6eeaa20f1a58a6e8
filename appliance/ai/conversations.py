"""Chat history: each member's conversations and their messages, private to them.

A conversation starts as "New chat" and takes its title from the member's first message
(`title_for`): the one rule, applied where the message is stored and sent to the page.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from appliance import clock
from appliance.ai.providers.base import ChatMessage, Role
from appliance.errors import NotFound
from appliance.storage import Database, Reader, Writer

__all__ = [
    "Conversation",
    "ConversationDetail",
    "StoredMessage",
    "MessageCreate",
    "start_conversation",
    "list_conversations",
    "get_conversation",
    "add_message",
    "delete_conversation",
    "history",
    "title_for",
    "NEW_CHAT",
]

NEW_CHAT = "New chat"
TITLE_CHARS = 60
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class Conversation(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    title: str
    created_at: datetime
    updated_at: datetime


class StoredMessage(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    role: Role
    content: str
    provider: str | None
    model: str | None
    created_at: datetime


class ConversationDetail(msgspec.Struct, frozen=True, kw_only=True):
    conversation: Conversation
    messages: list[StoredMessage]


class ConversationCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: Title | None = None


class MessageCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    content: Annotated[str, msgspec.Meta(min_length=1, max_length=32_000)]
    model: Annotated[str, msgspec.Meta(max_length=200)] = "auto"  # "auto" or "provider/model"
    max_tokens: Annotated[int, msgspec.Meta(ge=1, le=8192)] | None = None


async def start_conversation(db: Database, user_id: str, title: str | None) -> Conversation:
    at = clock.now()
    conversation = Conversation(id=uuid.uuid4().hex, title=title or NEW_CHAT, created_at=at, updated_at=at)
    await db.write(_insert_conversation, user_id, conversation)
    return conversation


async def list_conversations(db: Database, user_id: str) -> list[Conversation]:
    return await db.read(_conversations, user_id)


async def get_conversation(db: Database, user_id: str, conversation_id: str) -> ConversationDetail:
    found = await db.read(_conversation, user_id, conversation_id)
    if found is None:
        raise NotFound("no such conversation")
    return ConversationDetail(conversation=found, messages=await db.read(_messages, conversation_id))


async def add_message(
    db: Database,
    user_id: str,
    conversation_id: str,
    role: Role,
    content: str,
    provider: str | None = None,
    model: str | None = None,
) -> tuple[Conversation, StoredMessage]:
    """Keep a message; returns the conversation as it is now (its title may come from this message)."""
    message = StoredMessage(
        id=uuid.uuid4().hex,
        role=role,
        content=content,
        provider=provider,
        model=model,
        created_at=clock.now(),
    )
    conversation = await db.write(_insert_message, user_id, conversation_id, message)
    if conversation is None:
        raise NotFound("no such conversation")
    return conversation, message


async def delete_conversation(db: Database, user_id: str, conversation_id: str) -> None:
    if not await db.write(_delete, user_id, conversation_id):
        raise NotFound("no such conversation")


def history(detail: ConversationDetail) -> list[ChatMessage]:
    return [ChatMessage(role=m.role, content=m.content) for m in detail.messages]


def title_for(first_message: str) -> str:
    """A conversation's title: the start of its first message, on one line."""
    return " ".join(first_message.split())[:TITLE_CHARS] or NEW_CHAT


def _row(row: tuple[Any, ...]) -> Conversation:
    return Conversation(id=row[0], title=row[1], created_at=row[2], updated_at=row[3])


def _insert_conversation(conn: Writer, user_id: str, c: Conversation) -> None:
    conn.execute(
        "INSERT INTO conversations (id, user_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        [c.id, user_id, c.title, c.created_at, c.updated_at],
    )


def _conversations(conn: Reader, user_id: str) -> list[Conversation]:
    rows = conn.execute(
        "SELECT id, title, created_at, updated_at FROM conversations WHERE user_id = ? ORDER BY updated_at DESC",
        [user_id],
    ).fetchall()
    return [_row(r) for r in rows]


def _conversation(conn: Reader, user_id: str, conversation_id: str) -> Conversation | None:
    row = conn.execute(
        "SELECT id, title, created_at, updated_at FROM conversations WHERE user_id = ? AND id = ?",
        [user_id, conversation_id],
    ).fetchone()
    return _row(row) if row else None


def _messages(conn: Reader, conversation_id: str) -> list[StoredMessage]:
    rows = conn.execute(
        "SELECT id, role, content, provider, model, created_at FROM chat_messages"
        " WHERE conversation_id = ? ORDER BY created_at, id",
        [conversation_id],
    ).fetchall()
    return [StoredMessage(id=r[0], role=r[1], content=r[2], provider=r[3], model=r[4], created_at=r[5]) for r in rows]


def _insert_message(conn: Writer, user_id: str, conversation_id: str, m: StoredMessage) -> Conversation | None:
    found = _conversation(conn, user_id, conversation_id)
    if found is None:
        return None
    conn.execute(
        "INSERT INTO chat_messages (id, conversation_id, role, content, provider, model, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [m.id, conversation_id, m.role, m.content, m.provider, m.model, m.created_at],
    )
    first_words = found.title == NEW_CHAT and m.role == "user"
    now = msgspec.structs.replace(
        found, title=title_for(m.content) if first_words else found.title, updated_at=m.created_at
    )
    conn.execute("UPDATE conversations SET updated_at = ?, title = ? WHERE id = ?", [now.updated_at, now.title, now.id])
    return now


def _delete(conn: Writer, user_id: str, conversation_id: str) -> bool:
    if _conversation(conn, user_id, conversation_id) is None:
        return False
    conn.execute("DELETE FROM chat_messages WHERE conversation_id = ?", [conversation_id])
    conn.execute("DELETE FROM conversations WHERE id = ?", [conversation_id])
    return True
