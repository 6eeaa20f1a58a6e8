"""Errors met while a browser opens a page become a readable page, never raw JSON or a trace.

The API's JSON error handlers stay the source of truth; this wraps each one and,
only for a page navigation (GET, wants HTML, not under /api or /fragments),
renders its message into `error.html` with the same status code.

Every error page recognises the member the same way, from the session cookie alone and
read-only (`auth.recognise_member`), and keeps their navigation: whether a guard ran first
(a 403, a 400 from a page's own checks) or not (a mistyped address, a refused Host) does not
matter, and an API token a guard accepted never dresses a page as its member's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, cast

from litestar import Litestar, Request, Response
from litestar.response.base import ASGIResponse
from litestar.types import Receive, Scope, Send

from appliance.accounts.shapes import Principal
from appliance.server.auth import recognise_member
from appliance.server.pages.nav import navigation_for
from appliance.server.pages.templating import render_html

__all__ = ["with_html_errors"]

Handler = Callable[[Request, Any], Response]
_log = logging.getLogger(__name__)
_NOT_PAGES = ("/api/", "/fragments/", "/static/", "/schema")
_HEADINGS = {
    404: "This page does not exist",
    403: "This page is not for you",
    429: "Too many tries",
    500: "Something went wrong",
    503: "Atom is not ready",
}


def with_html_errors(handlers: Mapping[Any, Handler]) -> dict[Any, Handler]:
    return {kind: _html_for_pages(handler) for kind, handler in handlers.items()}


def _html_for_pages(handler: Handler) -> Handler:
    def handle(request: Request, exc: Any) -> Response:
        response = handler(request, exc)
        return _PageAfterLookup(request, response) if _is_page_visit(request) else response

    return handle


class _PageAfterLookup(Response[bytes]):
    """The error page, rendered once the member is recognised (an exception handler cannot await)."""

    def __init__(self, request: Request, api_response: Response) -> None:
        super().__init__(b"", status_code=api_response.status_code)
        self._request, self._api_response = request, api_response

    def to_asgi_response(self, app: Litestar | None, request: Request, **options: Any) -> ASGIResponse:
        async def send_page(scope: Scope, receive: Receive, send: Send) -> None:
            page = _error_page(self._request, self._api_response, await _recognised(request))
            await page.to_asgi_response(app, request, **options)(scope, receive, send)

        return cast(ASGIResponse, send_page)


async def _recognised(request: Request) -> Principal | None:
    try:
        return await recognise_member(request)
    except Exception:  # an error page must still show: without the member, it is the signed-out one
        _log.warning("could not recognise the member for an error page", exc_info=True)
        return None


def _is_page_visit(request: Request) -> bool:
    if request.scope["type"] != "http" or request.method != "GET":
        return False
    if request.url.path.startswith(_NOT_PAGES):
        return False
    return "text/html" in request.headers.get("accept", "")


def _error_page(request: Request, response: Response, me: Principal | None) -> Response:
    status = response.status_code or 500
    detail = response.content.get("detail", "") if isinstance(response.content, dict) else ""
    heading = _HEADINGS.get(status, "That did not work")
    context: dict[str, object] = {
        "me": me,
        "nav": navigation_for(me, request.url.path) if me else [],
        "csrf_token": (me.csrf_token or "") if me else "",
        "live_seen": 0,  # no live regions here to resync
        "title": heading,
        "heading": heading,
        "detail": detail,
        "status": status,
    }
    page = render_html(request.app, "error.html", context, status_code=status)
    page.headers.update({k: v for k, v in response.headers.items() if k.lower() == "retry-after"})
    return page
