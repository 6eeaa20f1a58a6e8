"""OAuth 2.0 at a service's token endpoint: device codes (RFC 8628), code + PKCE (RFC 7636), refresh, revoke.

Every secret travels in a form body, never in a URL, so no access log on either side holds one.
A service's error codes become Atom's decisions here: a refused grant is SignInNeeded; the
device flow's "authorization_pending" and "slow_down" are answers, not errors.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any

import msgspec

from appliance.connectors.http import ServiceHttp
from appliance.connectors.manifest import ConnectorManifest
from appliance.connectors.tokens import Grant
from appliance.errors import InvalidInput, ServiceFailed, SignInNeeded

__all__ = ["AppClient", "TokenReply", "token_request", "grant_from", "refresh_grant", "pkce_pair", "DEVICE_GRANT"]

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
_APP_REFUSED = {"invalid_client", "incorrect_client_credentials"}
_REFUSED = {  # the grant is refused: sign in again (authorization_declined is Microsoft's access_denied)
    "invalid_grant",
    "bad_refresh_token",
    "unauthorized_client",
    "access_denied",
    "authorization_declined",
    "expired_token",
}


class AppClient(msgspec.Struct, frozen=True, kw_only=True):
    """The household's registered app at the service."""

    client_id: str
    client_secret: str | None = None

    def __repr__(self) -> str:
        return f"AppClient({self.client_id!r}, <secret hidden>)"

    def form(self) -> dict[str, str]:
        return {"client_id": self.client_id} | ({"client_secret": self.client_secret} if self.client_secret else {})


class TokenReply(msgspec.Struct, frozen=True, kw_only=True):
    access_token: str | None = None
    refresh_token: str | None = None
    expires_in: float | None = None
    error: str | None = None
    interval: int | None = None  # slow_down may name the new interval (GitHub does)


async def token_request(http: ServiceHttp, manifest: ConnectorManifest, form: dict[str, str]) -> TokenReply:
    """POST to the token endpoint; the answer, success or OAuth error (both come as JSON)."""
    try:
        response = await http.request("POST", manifest.oauth.token, data=form, headers={"Accept": "application/json"})
    except SignInNeeded:  # a 401 from the token endpoint: the app's credentials, not the member's
        return TokenReply(error="invalid_client")
    try:
        return msgspec.convert(response.json(), TokenReply, strict=False)
    except (ValueError, msgspec.ValidationError):
        raise ServiceFailed(f"{manifest.title}'s sign-in answered with something Atom cannot read") from None


def grant_from(reply: TokenReply, title: str, previous: Grant | None = None) -> Grant:
    """The grant a successful reply holds; a reply without a new refresh token keeps the old one."""
    if reply.error in _APP_REFUSED:
        raise SignInNeeded(f"{title} refused the household's app ({reply.error}): check its client id and secret")
    if reply.error in _REFUSED:
        raise SignInNeeded(f"{title} refused the sign-in ({reply.error})")
    if reply.error or not reply.access_token:
        raise ServiceFailed(f"{title}'s sign-in failed ({(reply.error or 'no token')[:60]})")
    refresh = reply.refresh_token or (previous.refresh_token if previous else None)
    expires = time.time() + reply.expires_in if reply.expires_in else None
    return Grant(access_token=reply.access_token, refresh_token=refresh, expires_at=expires)


async def refresh_grant(http: ServiceHttp, manifest: ConnectorManifest, client: AppClient, grant: Grant) -> Grant:
    if not grant.refresh_token:
        raise SignInNeeded(f"{manifest.title}'s sign-in expired")
    form = {"grant_type": "refresh_token", "refresh_token": grant.refresh_token} | client.form()
    return grant_from(await token_request(http, manifest, form), manifest.title, grant)


def pkce_pair() -> tuple[str, str]:
    """A code verifier (RFC 7636, 43 characters of high entropy) and its S256 challenge."""
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def reply_json(body: Any, title: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput(f"{title} answered with something Atom cannot read")
    return body
