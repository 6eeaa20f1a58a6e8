"""Chat: my conversations, one thread, the model picker and the send box.

`/chat` is a new conversation (created when the first message is sent);
`/chat/{id}` opens one with its history. The reply streams in the browser
(`web/static/js/pages/chat.js`) straight from `POST /api/chat/.../messages`.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from appliance.accounts.shapes import Principal
from appliance.ai import conversations as chats
from appliance.ai.models import load_manifest
from appliance.errors import NotFound
from appliance.runtime import Runtime
from appliance.server.deps import DatabaseDep, RuntimeDep
from appliance.server.pages.usage import provider_name
from appliance.server.pages.view import fragment, member_page, viewer

__all__ = ["pages", "fragments"]

AUTO = "auto"


@dataclass(frozen=True)
class ModelChoice:
    value: str  # the `provider/model` name the API takes
    label: str  # what a person reads: the model's title on this box, the vendor's model id elsewhere


@dataclass(frozen=True)
class ModelGroup:
    """The picker's models of one provider, e.g. OpenAI: gpt-4o-mini, …"""

    label: str
    choices: list[ModelChoice]


@get("/chat", include_in_schema=False)
async def new_chat_page(request: Request, runtime: RuntimeDep) -> Template:
    return await _chat_page(request, runtime, None)


@get("/chat/{conversation_id:str}", include_in_schema=False)
async def conversation_page(request: Request, runtime: RuntimeDep, conversation_id: FromPath[str]) -> Template:
    detail = await chats.get_conversation(runtime.db, viewer(request).user_id, conversation_id)
    return await _chat_page(request, runtime, detail)


@get("/fragments/conversations", include_in_schema=False)
async def conversations_fragment(request: Request, db: DatabaseDep, current: FromQuery[str] = "") -> Template:
    found = await chats.list_conversations(db, viewer(request).user_id)
    return fragment(request, "partials/conversations_list.html", conversations=found, current=current)


@get("/fragments/chat-reply/{conversation_id:str}/{message_id:str}", include_in_schema=False)
async def reply_fragment(
    request: Request, db: DatabaseDep, conversation_id: FromPath[str], message_id: FromPath[str]
) -> Template:
    """A kept reply's words as safe HTML: the page swaps it in for the plain text it streamed."""
    detail = await chats.get_conversation(db, viewer(request).user_id, conversation_id)  # 404 unless mine
    message = next((m for m in detail.messages if m.id == message_id), None)
    if message is None:
        raise NotFound("no such message in this conversation")
    return fragment(request, "partials/chat_reply_text.html", message=message)


async def _chat_page(request: Request, runtime: Runtime, detail: chats.ConversationDetail | None) -> Template:
    me = viewer(request)
    return member_page(
        request,
        "chat.html",
        detail.conversation.title if detail else "Chat",
        conversation=detail.conversation if detail else None,
        messages=detail.messages if detail else [],
        conversations=await chats.list_conversations(runtime.db, me.user_id),
        current=detail.conversation.id if detail else "",
        model_groups=await model_groups(runtime, me),
        new_chat=chats.NEW_CHAT,
    )


async def model_groups(runtime: Runtime, me: Principal) -> list[ModelGroup]:
    """What the picker offers besides "auto": the same names `/v1/models` lists, by provider."""
    groups: dict[str, list[ModelChoice]] = {}
    titles = {name: spec.title for name, spec in load_manifest().models.items()}
    for route in await runtime.ai.models(me):
        choices = groups.setdefault(route.provider, [])
        if all(choice.value != route.name for choice in choices):
            label = titles.get(route.model, route.model) if route.key_id is None else route.model
            choices.append(ModelChoice(route.name, label))
    return [ModelGroup(provider_name(provider), choices) for provider, choices in groups.items()]


pages = [new_chat_page, conversation_page]
fragments = [conversations_fragment, reply_fragment]
