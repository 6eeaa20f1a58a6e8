"""The Litestar application, built by a factory from one settings object and one runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin

from appliance.runtime import Runtime
from appliance.server.auth import authenticate, refresh_session_cookie
from appliance.server.deps import dependencies
from appliance.server.errors import exception_handlers
from appliance.server.middleware import RequestContext
from appliance.server.origin import HostCheck, allowed_hosts
from appliance.server.pages import template_config, web_routers, with_html_errors
from appliance.server.routes import (
    account,
    ai,
    assist,
    caldav,
    calendar,
    chat,
    connections,
    control,
    health,
    knowledge,
    lists,
    live,
    members,
    metrics,
    models,
    openai_api,
    organizer_control,
    reminders,
    sessions,
    system,
    tasks,
    voice,
    voice_enrolment,
)
from appliance.server.voice import start_voice, stop_voice
from appliance.system.status import atom_version

__all__ = ["create_app"]

# Each module exports `routes`: its handlers, or one Router where the area shares a prefix, guards or
# an error shape. All of them sit behind `authenticate`, which lets only the public ones through.
API_MODULES = (
    health,
    sessions,
    account,
    members,
    system,
    metrics,
    live,
    knowledge,
    lists,
    tasks,
    calendar,
    caldav,
    reminders,
    organizer_control,
    connections,
    assist,
    control,
    ai,
    models,
    chat,
    openai_api,
    voice,
    voice_enrolment,
)


def create_app(runtime: Runtime, close_runtime: bool = True) -> Litestar:
    """The app serves `runtime` and closes it on shutdown unless told otherwise."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        runtime.knowledge.resume()
        wyoming = await start_voice(runtime)
        try:
            yield
        finally:
            await stop_voice(runtime, wyoming)
            await runtime.ai.aclose()
            if close_runtime:
                runtime.close()

    api = Router("/", route_handlers=[r for m in API_MODULES for r in m.routes], guards=[authenticate])
    return Litestar(
        route_handlers=[api, *web_routers()],
        dependencies=dependencies,
        exception_handlers=with_html_errors(exception_handlers),
        template_config=template_config(),
        middleware=[
            RequestContext,
            DefineMiddleware(HostCheck, allowed=allowed_hosts(runtime.settings)),
            metrics.http_metrics.middleware,
        ],
        request_max_body_size=runtime.settings.server.max_body_bytes,
        before_send=[refresh_session_cookie],
        openapi_config=OpenAPIConfig(
            title="Atom", version=atom_version(), path="/schema", render_plugins=[JsonRenderPlugin()]
        ),
        state=State({"runtime": runtime}),
        lifespan=[lifespan],
        logging_config=None,
    )
