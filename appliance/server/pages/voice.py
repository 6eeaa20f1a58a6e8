"""Voice: talk to Atom from the browser, the satellites (pair, rename, move, unpair), who may use
Wyoming unpaired (admins), and teaching the wake word one's own voice.

The satellites and the address list are live regions on the `satellites` topic; push-to-talk
and the recordings are the page module's (`web/static/js/pages/voice.js`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, get
from litestar.response import Template

from appliance.accounts.shapes import Principal
from appliance.errors import PermissionDenied
from appliance.runtime import Runtime
from appliance.server.deps import RuntimeDep
from appliance.server.pages.view import fragment, member_page, viewer
from appliance.server.routes.voice import with_status
from appliance.server.talk import MAX_SECONDS, missing_voice
from appliance.voice.allowed import wyoming_access
from appliance.voice.satellites import Satellite, list_satellites

__all__ = ["pages", "fragments"]


@get("/voice", include_in_schema=False)
async def voice_page(request: Request, runtime: RuntimeDep) -> Template:
    me = viewer(request)
    return member_page(
        request,
        "voice.html",
        "Voice",
        **await _satellites(runtime, me),
        **(await _access(runtime) if me.is_admin else {}),
        missing=await asyncio.to_thread(missing_voice, runtime.settings),
        wyoming_port=runtime.settings.voice.wyoming_port,
        follow_up_seconds=runtime.settings.voice.follow_up_seconds,
        max_seconds=MAX_SECONDS,
    )


@get("/fragments/voice/satellites", include_in_schema=False)
async def satellites_fragment(request: Request, runtime: RuntimeDep) -> Template:
    me = viewer(request)
    return fragment(request, "partials/satellites_list.html", **await _satellites(runtime, me))


@get("/fragments/voice/access", include_in_schema=False)
async def access_fragment(request: Request, runtime: RuntimeDep) -> Template:
    if not viewer(request).is_admin:
        raise PermissionDenied("only a household admin chooses who may use voice unpaired")
    return fragment(request, "partials/voice_access.html", **await _access(runtime))


async def _satellites(runtime: Runtime, me: Principal) -> dict[str, Any]:
    found = with_status(runtime, await list_satellites(runtime.db, me))
    return {"satellites": [(s, _may_change(s, me)) for s in found]}


async def _access(runtime: Runtime) -> dict[str, Any]:
    return {"access": await wyoming_access(runtime.db, runtime.settings)}


def _may_change(satellite: Satellite, me: Principal) -> bool:
    """The household's are the admins' to change; a member's own are theirs."""
    return me.is_admin if satellite.user_id is None else satellite.user_id == me.user_id


pages = [voice_page]
fragments = [satellites_fragment, access_fragment]
