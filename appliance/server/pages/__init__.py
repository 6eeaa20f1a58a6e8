"""The web UI: server-rendered pages, the fragments the live module re-fetches, and the static shell.

Pages are thin: they load with the same plain functions the API uses and render
a template from `web/templates`. Signed-out visitors are sent to sign in (or to
setup on a fresh Atom); fragments answer 401 instead, so the page script can.

A capability that brings a page adds: a module here with `pages` and `fragments`
(listed in `MEMBER_AREAS`), its entry in `nav.NAVIGATION`, maybe a dashboard
panel in `panels.PANELS`, and its templates. Forms need no script of their own
(`web/static/js/forms.js`); a `data-region` element with `data-topics` reloads
its fragment when the live channel reports a change on one of those topics.
"""

from __future__ import annotations

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

from appliance.server.auth import authenticate
from appliance.server.pages import (
    account,
    ai_settings,
    calendar,
    chat,
    connections,
    dashboard,
    documents,
    login,
    members,
    notes,
    search,
    setup,
    shell,
    system,
    tasks,
    usage,
    voice,
)
from appliance.server.pages.access import SignInFirst, redirect_to_sign_in, signed_in_page
from appliance.server.pages.errors import with_html_errors
from appliance.server.pages.templating import static_dir, template_config

__all__ = ["web_routers", "template_config", "with_html_errors"]

MEMBER_AREAS = (
    dashboard,
    chat,
    tasks,
    calendar,
    search,
    notes,
    documents,
    connections,
    members,
    account,
    system,
    ai_settings,
    usage,
    voice,
)
_PRIVATE = CacheControlHeader(no_store=True)


def web_routers() -> list[Router]:
    return [_page_router(), _fragment_router(), _static_router()]


def _page_router() -> Router:
    handlers = [*shell.routes, *setup.routes, *login.routes, *(p for area in MEMBER_AREAS for p in area.pages)]
    return Router(
        "/",
        route_handlers=handlers,
        guards=[signed_in_page],
        cache_control=_PRIVATE,
        exception_handlers={SignInFirst: redirect_to_sign_in},
    )


def _fragment_router() -> Router:
    handlers = [f for area in MEMBER_AREAS for f in area.fragments]
    return Router("/", route_handlers=handlers, guards=[authenticate], cache_control=_PRIVATE)


def _static_router() -> Router:
    """Public shell files; browsers revalidate them, the service worker caches them by version."""
    return create_static_files_router(
        path=shell.STATIC_PREFIX,
        directories=[static_dir()],
        cache_control=CacheControlHeader(no_cache=True),
    )
