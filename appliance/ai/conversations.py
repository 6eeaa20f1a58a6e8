"""Chat history: each member's conversations and their messages, private to them.

A conversation starts as "New chat" and takes its title from the member's first message
(`title_for`): the one rule, applied where the message is kept and sent to the page.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import msgspec

from appliance import clock
from appliance.ai import queries
from appliance.ai.providers.base import ChatMessage, Role
from appliance.ai.shapes import Conversation, ConversationCreate, ConversationDetail, MessageCreate, StoredMessage
from appliance.errors import NotFound
from appliance.storage import Database, Reader, Writer

__all__ = [
    "Conversation",
    "ConversationCreate",
    "ConversationDetail",
    "StoredMessage",
    "MessageCreate",
    "start_conversation",
    "list_conversations",
    "get_conversation",
    "add_message",
    "Turn",
    "keep_exchange",
    "delete_conversation",
    "history",
    "title_for",
    "NEW_CHAT",
]

NEW_CHAT = "New chat"
TITLE_CHARS = 60


async def start_conversation(db: Database, user_id: str, title: str | None) -> Conversation:
    at = clock.now()
    conversation = Conversation(id=uuid.uuid4().hex, title=title or NEW_CHAT, created_at=at, updated_at=at)
    await db.write(queries.insert_conversation, user_id, conversation)
    return conversation


async def list_conversations(db: Database, user_id: str) -> list[Conversation]:
    return await db.read(queries.conversations_of, user_id)


async def get_conversation(db: Database, user_id: str, conversation_id: str) -> ConversationDetail:
    found = await db.read(_detail, user_id, conversation_id)
    if found is None:
        raise NotFound("no such conversation")
    return found


async def add_message(
    db: Database,
    user_id: str,
    conversation_id: str,
    role: Role,
    content: str,
    provider: str | None = None,
    model: str | None = None,
    fallback: str | None = None,
) -> tuple[Conversation, StoredMessage]:
    """Keep a message; returns the conversation as it is now (its title may come from this message)."""
    message = StoredMessage(
        id=uuid.uuid4().hex,
        role=role,
        content=content,
        provider=provider,
        model=model,
        created_at=clock.now(),
        fallback=fallback or None,
    )
    conversation = await db.write(_insert_message, user_id, conversation_id, message)
    if conversation is None:
        raise NotFound("no such conversation")
    return conversation, message


class Turn(msgspec.Struct, frozen=True):
    """One side of an exchange to keep: who said what (and, for an answer, which model or tool)."""

    role: Role
    content: str
    provider: str | None = None
    model: str | None = None
    fallback: str | None = None  # the chosen AI failed and this one answered (gateway.fallback_note)


async def keep_exchange(db: Database, user_id: str, conversation_id: str | None, turns: list[Turn]) -> Conversation:
    """Keep a command and its answer in one transaction, starting the conversation when there is none.

    One write instead of three: a matched command's whole server time is mostly these commits.
    """
    at = clock.now()
    messages = [  # a microsecond apart: history is ordered by time, and the answer comes after the command
        StoredMessage(id=uuid.uuid4().hex, created_at=at + timedelta(microseconds=i), **msgspec.structs.asdict(t))
        for i, t in enumerate(turns)
    ]
    conversation = await db.write(_insert_exchange, user_id, conversation_id, messages)
    if conversation is None:
        raise NotFound("no such conversation")
    return conversation


async def delete_conversation(db: Database, user_id: str, conversation_id: str) -> None:
    if not await db.write(_delete, user_id, conversation_id):
        raise NotFound("no such conversation")


def history(detail: ConversationDetail) -> list[ChatMessage]:
    return [ChatMessage(role=m.role, content=m.content) for m in detail.messages]


def title_for(first_message: str) -> str:
    """A conversation's title: the start of its first message, on one line, cut at a word (with "…")."""
    line = " ".join(first_message.split())
    if len(line) <= TITLE_CHARS:
        return line or NEW_CHAT
    cut = line[: TITLE_CHARS - 1]
    at_word = cut.rsplit(" ", 1)[0] if " " in cut[TITLE_CHARS // 2 :] else cut  # a very long word is still cut
    return at_word.rstrip(" ,.;:-") + "…"


def _detail(conn: Reader, user_id: str, conversation_id: str) -> ConversationDetail | None:
    found = queries.conversation(conn, user_id, conversation_id)
    if found is None:
        return None
    return ConversationDetail(conversation=found, messages=queries.messages(conn, conversation_id))


def _insert_message(conn: Writer, user_id: str, conversation_id: str, m: StoredMessage) -> Conversation | None:
    found = queries.conversation(conn, user_id, conversation_id)
    if found is None:
        return None
    queries.insert_message(conn, conversation_id, m)
    first_words = found.title == NEW_CHAT and m.role == "user"
    title = title_for(m.content) if first_words else found.title
    now = msgspec.structs.replace(found, title=title, updated_at=m.created_at)
    queries.update_conversation(conn, now)
    return now


def _insert_exchange(
    conn: Writer, user_id: str, conversation_id: str | None, messages: list[StoredMessage]
) -> Conversation | None:
    if conversation_id is None:
        first = messages[0]
        started = Conversation(
            id=uuid.uuid4().hex, title=NEW_CHAT, created_at=first.created_at, updated_at=first.created_at
        )
        queries.insert_conversation(conn, user_id, started)
        conversation_id = started.id
    found: Conversation | None = None
    for message in messages:
        found = _insert_message(conn, user_id, conversation_id, message)
        if found is None:
            return None
    return found


def _delete(conn: Writer, user_id: str, conversation_id: str) -> bool:
    if queries.conversation(conn, user_id, conversation_id) is None:
        return False
    queries.delete_conversation(conn, conversation_id)
    return True
