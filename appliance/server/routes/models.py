"""Models over the API: what is shipped and installed; admins add their own GGUF chat models."""

from __future__ import annotations

import asyncio
from typing import Annotated

import msgspec
from litestar import Router, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from appliance.ai import models
from appliance.events import EVERYONE, Event
from appliance.server.auth import admin_only, members_only
from appliance.server.deps import BusDep, SettingsDep

__all__ = ["routes"]


class CustomModelAdd(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Only shapes and sizes here: `models.add_custom_model` holds the rules for every value."""

    name: Annotated[str, msgspec.Meta(max_length=200)]
    path: Annotated[str, msgspec.Meta(max_length=4096)] | None = None  # a .gguf file in the import folder
    url: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    chat_template: Annotated[str, msgspec.Meta(max_length=100_000)] | None = None
    sha256: Annotated[str, msgspec.Meta(max_length=64)] | None = None


@get("/")
async def list_models(settings: SettingsDep) -> list[models.ModelState]:
    return await asyncio.to_thread(models.model_states, settings.data_dir)


@post("/", guards=[admin_only], status_code=HTTP_201_CREATED)
async def add_model(settings: SettingsDep, bus: BusDep, data: JSONBody[CustomModelAdd]) -> models.ModelState:
    """Check (GGUF header, sha256) and register a chat model from the import folder or a URL."""
    await asyncio.to_thread(
        models.add_custom_model,
        settings.data_dir,
        data.name,
        models.load_manifest(),
        rules=models.import_rules(settings),
        file=data.path,
        url=data.url,
        chat_template=data.chat_template,
        expected_sha256=data.sha256,
    )
    bus.publish(Event(topic="ai-models", action="created", id=data.name), [EVERYONE])
    return next(s for s in await asyncio.to_thread(models.model_states, settings.data_dir) if s.name == data.name)


@delete("/{name:str}", guards=[admin_only])
async def remove_model(settings: SettingsDep, bus: BusDep, name: FromPath[str]) -> None:
    await asyncio.to_thread(models.remove_model, settings.data_dir, name)
    bus.publish(Event(topic="ai-models", action="deleted", id=name), [EVERYONE])


routes = [
    Router("/api/ai/models", route_handlers=[list_models, add_model, remove_model], guards=[members_only], tags=["ai"])
]
