"""Chat with history: my conversations, and a reply streamed as server-sent events.

A reply waits (for the local model's turn, say) before the stream starts, so a refusal to be
retried later is a plain 429 with Retry-After and keeps nothing; other failures are reported
inside the stream, as `event: error`, after the message is stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing

import msgspec
from litestar import Request, Router, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from appliance.accounts.models import Principal
from appliance.ai import conversations as chats
from appliance.ai.gateway import RoutedChunk
from appliance.ai.providers.base import ChatMessage, ChatRequest
from appliance.errors import ProviderError, RateLimited, RequestError, ServiceUnavailable, Throttled
from appliance.events import Event, EventBus
from appliance.server.auth import members_only
from appliance.server.deps import AIDep, BusDep, DatabaseDep, PrincipalDep
from appliance.server.hangup import until_hangup
from appliance.storage import Database

__all__ = ["router"]

_IN_BAND = (ProviderError, ServiceUnavailable, RequestError)  # once the 200 has gone, errors are events
_RETRY_LATER = (RateLimited, Throttled)  # a 429 before the stream: its Retry-After is a header
_Start = RoutedChunk | ProviderError | ServiceUnavailable | RequestError | None  # the first piece, or why none


@get("/conversations")
async def my_conversations(db: DatabaseDep, principal: PrincipalDep) -> list[chats.Conversation]:
    return await chats.list_conversations(db, principal.user_id)


@post("/conversations", status_code=HTTP_201_CREATED)
async def new_conversation(
    db: DatabaseDep, bus: BusDep, principal: PrincipalDep, data: JSONBody[chats.ConversationCreate]
) -> chats.Conversation:
    conversation = await chats.start_conversation(db, principal.user_id, data.title)
    bus.publish(
        Event(topic="conversations", action="created", id=conversation.id, data=conversation), [principal.user_id]
    )
    return conversation


@get("/conversations/{conversation_id:str}")
async def one_conversation(
    db: DatabaseDep, principal: PrincipalDep, conversation_id: FromPath[str]
) -> chats.ConversationDetail:
    return await chats.get_conversation(db, principal.user_id, conversation_id)


@delete("/conversations/{conversation_id:str}")
async def remove_conversation(
    db: DatabaseDep, bus: BusDep, principal: PrincipalDep, conversation_id: FromPath[str]
) -> None:
    await chats.delete_conversation(db, principal.user_id, conversation_id)
    bus.publish(Event(topic="conversations", action="deleted", id=conversation_id), [principal.user_id])


@post("/conversations/{conversation_id:str}/messages", status_code=HTTP_200_OK)
async def send_message(
    db: DatabaseDep,
    ai: AIDep,
    bus: BusDep,
    principal: PrincipalDep,
    conversation_id: FromPath[str],
    data: JSONBody[chats.MessageCreate],
    request: Request,
) -> Stream:
    """Stream the reply to my message: `event: chunk` pieces, then `event: done` (or `error`).

    The message is stored once its reply starts (or fails in-band); a 429 stores nothing.
    """
    detail = await chats.get_conversation(db, principal.user_id, conversation_id)
    mine = ChatMessage(role="user", content=data.content)
    asked = ChatRequest(model=data.model, messages=[*chats.history(detail), mine], max_tokens=data.max_tokens)
    chunks = ai.stream(principal, asked, source="chat")
    first = await _first(request, chunks)
    reply = _Reply(db, bus, principal, conversation_id)
    try:
        await chats.add_message(db, principal.user_id, conversation_id, "user", data.content)
    except BaseException:
        await chunks.aclose()  # e.g. the conversation was deleted meanwhile: free the model
        raise
    return Stream(reply.events(first, chunks), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def _first(request: Request, chunks: AsyncGenerator[RoutedChunk, None]) -> _Start:
    """The reply's first piece, or the failure to report in-band; a refusal to retry later is raised."""
    try:
        return await until_hangup(request, anext(chunks, None))
    except _RETRY_LATER:
        raise
    except _IN_BAND as exc:
        return exc


class _Reply:
    """Streams one reply and stores it (what was said so far, even if the reader leaves)."""

    def __init__(self, db: Database, bus: EventBus, principal: Principal, conversation_id: str) -> None:
        self.db, self.bus, self.principal, self.conversation_id = db, bus, principal, conversation_id
        self.parts: list[str] = []
        self.route: RoutedChunk | None = None

    async def events(self, first: _Start, chunks: AsyncGenerator[RoutedChunk, None]) -> AsyncIterator[bytes]:
        try:
            async with aclosing(chunks):
                if isinstance(first, Exception):
                    raise first
                routed: RoutedChunk | None = first
                while routed is not None:
                    self.route = routed
                    if routed.chunk.text:
                        self.parts.append(routed.chunk.text)
                        yield _sse("chunk", {"text": routed.chunk.text, "model": routed.route.name})
                    routed = await anext(chunks, None)
            stored = await self._store()
            yield _sse("done", {"message": stored})
        except _IN_BAND as exc:  # e.g. a budget refusal: the 200 has gone
            await self._store()
            yield _sse("error", {"detail": str(exc)})
        except BaseException:  # the reader left: keep what was said so far
            await asyncio.shield(self._store())
            raise

    async def _store(self) -> chats.StoredMessage | None:
        if not self.parts or self.route is None:
            return None
        route, text = self.route.route, "".join(self.parts)
        self.parts = []
        stored = await chats.add_message(
            self.db,
            self.principal.user_id,
            self.conversation_id,
            "assistant",
            text,
            provider=route.provider,
            model=route.model,
        )
        self.bus.publish(
            Event(topic="conversations", action="updated", id=self.conversation_id), [self.principal.user_id]
        )
        return stored


def _sse(event: str, payload: object) -> bytes:
    return f"event: {event}\ndata: ".encode() + msgspec.json.encode(payload) + b"\n\n"


router = Router(
    "/api/chat",
    route_handlers=[my_conversations, new_conversation, one_conversation, remove_conversation, send_message],
    guards=[members_only],
    tags=["chat"],
)
