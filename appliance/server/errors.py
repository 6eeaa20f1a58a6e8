"""Atom's errors become HTTP responses here, and only here.

Every error body has the same shape: `{"status_code": 404, "detail": "no such member"}`,
plus `extra` for validation problems.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from appliance.errors import (
    ClientGone,
    ConnectorError,
    ProviderError,
    RateLimited,
    RequestError,
    ServiceBusy,
    ServiceUnavailable,
    Throttled,
)

__all__ = ["exception_handlers", "retry_after_header"]

log = logging.getLogger("appliance.server")


def _atom_error(_: Request, exc: RequestError | ServiceUnavailable | ProviderError | ConnectorError) -> Response:
    return _body(exc.status_code, str(exc), headers=retry_after_header(exc))


def retry_after_header(exc: Exception) -> dict[str, str] | None:
    wait = getattr(exc, "retry_after", None)
    if isinstance(exc, (Throttled, RateLimited, ServiceBusy)) and wait is not None:
        return {"Retry-After": str(max(1, math.ceil(wait)))}
    return None


def _client_gone(_: Request, exc: ClientGone) -> Response:
    return Response(None, status_code=exc.status_code)  # nobody reads it; the access log records the hang-up


def _http_error(_: Request, exc: HTTPException) -> Response:
    extra = exc.extra if exc.extra else None
    detail = exc.detail
    if _caused_by_bad_json(exc):
        detail = f"the request body is not valid JSON: {detail}"
    return _body(exc.status_code, detail, extra=extra, headers=exc.headers)


def _caused_by_bad_json(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc.__context__
    while cause is not None:
        if isinstance(cause, msgspec.DecodeError) and not isinstance(cause, msgspec.ValidationError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _body(HTTP_500_INTERNAL_SERVER_ERROR, "Atom hit an internal error; it has been logged")


def _body(status: int, detail: str, extra: object = None, headers: dict[str, str] | None = None) -> Response:
    content: dict[str, object] = {"status_code": status, "detail": detail}
    if extra:
        content["extra"] = extra
    return Response(content, status_code=status, headers=headers)


exception_handlers: dict[type[Exception], Callable[[Request, Any], Response]] = {
    RequestError: _atom_error,
    ServiceUnavailable: _atom_error,
    ProviderError: _atom_error,
    ConnectorError: _atom_error,
    ClientGone: _client_gone,
    HTTPException: _http_error,
    Exception: _unexpected,
}
