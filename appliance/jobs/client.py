"""How jobs reach the server: its control API on loopback, with the service token."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import httpx
import msgspec

from appliance.errors import (
    AuthenticationRequired,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RequestError,
    ServiceUnavailable,
)
from appliance.settings import Settings

__all__ = ["ServerClient", "lazy_server_client"]


class ServerClient:
    def __init__(self, settings: Settings, token: str, timeout: float = 30.0) -> None:
        # Over HTTPS the certificate names the box's LAN name, not 127.0.0.1; this connection never
        # leaves the box and the service token authenticates it, so the name is not checked here.
        self._http = httpx.Client(
            base_url=settings.local_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            verify=not settings.tls,
        )

    def call(self, method: str, path: str, body: msgspec.Struct | None = None, timeout: float | None = None) -> Any:
        """Send `body` (a shape of the API's own) and return the decoded JSON answer.

        `timeout` replaces the client's own for a call known to take long (a backup)."""
        content = None if body is None else msgspec.json.encode(body)
        headers = {} if body is None else {"Content-Type": "application/json"}
        wait = self._http.timeout if timeout is None else httpx.Timeout(timeout)
        try:
            response = self._http.request(method, path, content=content, headers=headers, timeout=wait)
        except httpx.TransportError as exc:
            raise ServiceUnavailable(f"the Atom server is not reachable: {exc}") from None
        if response.status_code >= 500:
            raise ServiceUnavailable(f"the Atom server answered {response.status_code}")
        if response.status_code >= 400:
            raise _request_error(response)
        return response.json() if response.content else None

    def close(self) -> None:
        self._http.close()


def lazy_server_client(settings: Settings) -> Callable[[], ServerClient]:
    """A client made when first used, so the service token is read when a job runs, not at start."""

    @cache
    def client() -> ServerClient:
        return ServerClient(settings, _service_token(settings))

    return client


def _service_token(settings: Settings) -> str:
    """`atom serve` makes the token when it first starts; before that there is no server to reach."""
    try:
        return settings.service_token_path.read_text().strip()
    except FileNotFoundError:
        raise ServiceUnavailable("the Atom server has not started yet (no service token in the data folder)") from None


_ERRORS: dict[int, type[RequestError]] = {
    401: AuthenticationRequired,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
}


def _request_error(response: httpx.Response) -> RequestError:
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        detail = response.text
    return _ERRORS.get(response.status_code, InvalidInput)(f"the server refused: {detail}")
