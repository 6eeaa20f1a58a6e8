"""Sending a chat message: a member's words in, a reply streamed out, both kept.

`send_message` is the one path for a message in a conversation (the chat API today, the chat
coordinator and voice later): it rebuilds the history, starts the reply, keeps the member's turn
once the reply has started, then streams the answer, keeps it (what was said so far, even if the
reader leaves) and tells the member's other pages. `start_reply` is its first step alone, for a
request without a conversation (the OpenAI endpoint).

A reply is started before anything is promised: routing, the budget and the local model's queue
answer first, so a refusal to be retried later (RateLimited, Throttled) is raised by these
functions and nothing is kept. Other failures of a conversation's reply are told inside it
(`Failed`), after the turn is kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import ClassVar

import msgspec

from appliance.accounts.shapes import Principal
from appliance.ai import conversations
from appliance.ai.gateway import AIGateway, RoutedChunk
from appliance.ai.providers.base import ChatMessage, ChatRequest
from appliance.ai.routing import Route
from appliance.ai.shapes import Conversation, MessageCreate, Source, StoredMessage
from appliance.errors import (
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    RequestError,
    ServiceUnavailable,
    Throttled,
)
from appliance.events import Event, EventBus
from appliance.storage import Database

__all__ = ["Reply", "start_reply", "send_message", "ChatReply", "ChatEvent", "Turn", "Piece", "Done", "Failed"]

_RETRY_LATER = (RateLimited, Throttled)  # raised before anything is kept: the caller answers 429
_IN_BAND = (ProviderError, ServiceUnavailable, RequestError)  # a conversation's reply tells these


class Turn(msgspec.Struct, frozen=True, kw_only=True):
    """The member's message, kept, and the conversation as it is now (titled by its first message)."""

    kind: ClassVar[str] = "turn"
    conversation: Conversation
    message: StoredMessage


class Piece(msgspec.Struct, frozen=True, kw_only=True):
    kind: ClassVar[str] = "chunk"
    text: str
    model: str  # "provider/model": who is answering
    fallback: str = ""  # on the first piece when the chosen route failed and another answers (gateway.fallback_note)


class Done(msgspec.Struct, frozen=True, kw_only=True):
    kind: ClassVar[str] = "done"
    message: StoredMessage | None  # the answer as kept; None when nothing was said


class Failed(msgspec.Struct, frozen=True, kw_only=True):
    kind: ClassVar[str] = "error"
    detail: str


ChatEvent = Turn | Piece | Done | Failed


class Reply:
    """A started reply: its first piece is here, the rest follow as the provider sends them."""

    def __init__(self, first: RoutedChunk, rest: AsyncGenerator[RoutedChunk, None]) -> None:
        self.first, self._rest = first, rest

    async def pieces(self) -> AsyncGenerator[RoutedChunk, None]:
        """Every piece, the first included; a reader that stops early stops the provider at once."""
        async with aclosing(self._rest):
            yield self.first
            async for routed in self._rest:
                yield routed

    async def aclose(self) -> None:
        await self._rest.aclose()


async def start_reply(ai: AIGateway, principal: Principal, request: ChatRequest, source: Source) -> Reply:
    """Route `request` and wait for the reply's first piece (the local model's turn, say)."""
    chunks = ai.stream(principal, request, source)
    try:
        first = await anext(chunks)
    except StopAsyncIteration:
        raise ProviderUnavailable("the reply ended before it began") from None
    except BaseException:
        await chunks.aclose()
        raise
    return Reply(first, chunks)


async def send_message(
    db: Database, ai: AIGateway, bus: EventBus, principal: Principal, conversation_id: str, message: MessageCreate
) -> ChatReply:
    """Start the reply to `message` and keep it in the conversation; iterate `events()` for the rest."""
    detail = await conversations.get_conversation(db, principal.user_id, conversation_id)
    mine = ChatMessage(role="user", content=message.content)
    asked = ChatRequest(
        model=message.model, messages=[*conversations.history(detail), mine], max_tokens=message.max_tokens
    )
    started = await _start_or_failure(ai, principal, asked)
    try:
        kept = await conversations.add_message(db, principal.user_id, conversation_id, "user", message.content)
    except BaseException:
        if isinstance(started, Reply):
            await started.aclose()  # e.g. the conversation was deleted meanwhile: free the model
        raise
    return ChatReply(db, bus, principal.user_id, Turn(conversation=kept[0], message=kept[1]), started)


async def _start_or_failure(ai: AIGateway, principal: Principal, asked: ChatRequest) -> Reply | Exception:
    try:
        return await start_reply(ai, principal, asked, source="chat")
    except _RETRY_LATER:
        raise
    except _IN_BAND as exc:
        return exc


class ChatReply:
    """One reply in a conversation: the turn, the pieces, then Done (or Failed), keeping the answer."""

    def __init__(self, db: Database, bus: EventBus, user_id: str, turn: Turn, started: Reply | Exception) -> None:
        self._db, self._bus, self._user_id = db, bus, user_id
        self.turn, self._started = turn, started
        self._parts: list[str] = []
        self._route: Route | None = None
        self._fallback = ""  # kept with the answer, so a reload still says the AI was swapped

    async def events(self) -> AsyncGenerator[ChatEvent, None]:
        try:
            yield self.turn
            if isinstance(self._started, Exception):
                raise self._started
            async with aclosing(self._started.pieces()) as pieces:
                async for routed in pieces:
                    if piece := self._heard(routed):
                        yield piece
            yield Done(message=await self._keep())
        except _IN_BAND as exc:  # e.g. a budget refusal: the reply has begun, so it is told in it
            await self._keep()
            yield Failed(detail=str(exc))
        except BaseException:  # the reader left: keep what was said so far
            await asyncio.shield(self._keep())
            raise
        finally:
            if isinstance(self._started, Reply):
                await self._started.aclose()  # left before the first piece was read: free the model

    def _heard(self, routed: RoutedChunk) -> Piece | None:
        self._route = routed.route
        if not routed.chunk.text:
            return None
        first = not self._parts
        self._parts.append(routed.chunk.text)
        self._fallback = self._fallback or routed.fallback
        return Piece(text=routed.chunk.text, model=routed.route.name, fallback=routed.fallback if first else "")

    async def _keep(self) -> StoredMessage | None:
        """Keep what was said (once), and tell the member's pages the conversation changed."""
        if not self._parts or self._route is None:
            return None
        text, self._parts = "".join(self._parts), []
        conversation_id = self.turn.conversation.id
        _, kept = await conversations.add_message(
            self._db,
            self._user_id,
            conversation_id,
            "assistant",
            text,
            provider=self._route.provider,
            model=self._route.model,
            fallback=self._fallback,
        )
        self._bus.publish(Event(topic="conversations", action="updated", id=conversation_id), [self._user_id])
        return kept
