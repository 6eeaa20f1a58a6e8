"""Wake-word enrolment over HTTP (the Voice page records the samples). Thin: unpack, call, pack.

Everything here is the signed-in member's own: there is no way to name another member's
enrolment, so one member can neither read, train nor delete another's.
"""

from __future__ import annotations

import asyncio

from litestar import Request, delete, get, post
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from appliance.errors import UnsupportedMediaType
from appliance.server.auth import members_only
from appliance.server.deps import PrincipalDep, RuntimeDep
from appliance.voice.wake import load_wake_model
from appliance.voice.wake.enrolment import (
    Enrolment,
    SampleAdded,
    add_sample,
    enrolment_status,
    forget_enrolment,
    train_enrolment,
)

__all__ = ["routes"]

_TAGS = ["voice"]
_WAV_TYPES = {"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "application/octet-stream"}
_MAX_BODY = 256 * 1024  # a 3 s sample is 96 KB


@post(
    "/api/voice/enrolment/samples",
    tags=_TAGS,
    guards=[members_only],
    status_code=HTTP_201_CREATED,
    request_max_body_size=_MAX_BODY,
)
async def add_enrolment_sample(runtime: RuntimeDep, principal: PrincipalDep, request: Request) -> SampleAdded:
    """One recording of you saying "Atom": the body is a WAV file, 16 kHz mono 16-bit, at most 3 s."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in _WAV_TYPES:
        raise UnsupportedMediaType(f"send the sample as audio/wav, not {kind or 'no content type'}")
    return await add_sample(runtime.db, principal.user_id, await request.body())


@get("/api/voice/enrolment", tags=_TAGS, guards=[members_only])
async def get_enrolment(runtime: RuntimeDep, principal: PrincipalDep) -> Enrolment:
    """Your samples, whether the detector is adapted to them, and how it heard them before and after."""
    return await enrolment_status(runtime.db, principal.user_id)


@post("/api/voice/enrolment/train", tags=_TAGS, guards=[members_only], status_code=HTTP_200_OK)
async def train(runtime: RuntimeDep, principal: PrincipalDep) -> Enrolment:
    """Adapt the wake-word detector to your samples (a few seconds, off the event loop)."""
    model = await asyncio.to_thread(load_wake_model, runtime.settings.data_dir)
    sensitivity = runtime.settings.voice.wake_sensitivity
    return await train_enrolment(runtime.db, principal.user_id, model, sensitivity)


@delete("/api/voice/enrolment", tags=_TAGS, guards=[members_only], status_code=HTTP_204_NO_CONTENT)
async def forget(runtime: RuntimeDep, principal: PrincipalDep) -> None:
    """Delete your samples and your adapted detector."""
    await forget_enrolment(runtime.db, principal.user_id)


routes = [add_enrolment_sample, get_enrolment, train, forget]
