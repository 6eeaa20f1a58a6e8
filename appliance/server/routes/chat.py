"""Chat with history: my conversations, and a reply streamed as server-sent events.

The work is `appliance.ai.chat.send_message`; this module unpacks the request and writes its
events as `event: turn` (my message, kept, and the conversation's title), `chunk` pieces, then
`done` (or `error`). A refusal to be retried later comes before the stream: a plain 429 with
Retry-After, and nothing kept.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing

import msgspec
from litestar import Request, Router, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from appliance.ai import chat
from appliance.ai import conversations as chats
from appliance.assistant.streaming import Acted, stream_assist
from appliance.events import Event
from appliance.server.auth import members_only
from appliance.server.deps import BusDep, DatabaseDep, PrincipalDep, RuntimeDep
from appliance.server.hangup import until_hangup
from appliance.server.routes.assist import tool_context

__all__ = ["routes"]


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
    runtime: RuntimeDep,
    principal: PrincipalDep,
    conversation_id: FromPath[str],
    data: JSONBody[chats.MessageCreate],
    request: Request,
) -> Stream:
    """Stream the reply to my message: `event: turn`, `chunk` pieces, `action` when a tool acted, then `done`
    (or `error`). With `model` "auto" the chat coordinator reads the message first (Atom's tools may act);
    naming a model talks to that model alone.

    My message is kept once its reply starts (or fails in-band); a 429 keeps nothing.
    """
    if data.model == "auto":
        await chats.get_conversation(runtime.db, principal.user_id, conversation_id)  # 404 before the stream starts
        ctx = await tool_context(runtime, principal, conversation_id)
        return _stream(stream_assist(runtime.assistant, ctx, data.content))
    db, ai, bus = runtime.db, runtime.ai, runtime.bus
    reply = await until_hangup(request, chat.send_message(db, ai, bus, principal, conversation_id, data))
    return _stream(reply.events())


def _stream(events: AsyncGenerator[chat.ChatEvent | Acted, None]) -> Stream:
    return Stream(_sse(events), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def _sse(events: AsyncGenerator[chat.ChatEvent | Acted, None]) -> AsyncIterator[bytes]:
    async with aclosing(events):
        async for event in events:
            yield f"event: {event.kind}\ndata: ".encode() + msgspec.json.encode(event) + b"\n\n"


routes = [
    Router(
        "/api/chat",
        route_handlers=[my_conversations, new_conversation, one_conversation, remove_conversation, send_message],
        guards=[members_only],
        tags=["chat"],
    )
]
