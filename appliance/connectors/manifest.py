"""A connector's manifest: everything Atom knows about a service before talking to it.

    manifest.toml
        name = "github"                         must equal the folder name
        title = "GitHub"                        what people see
        sign_in = ["device"]                    the kinds it offers, most preferred first:
                                                device (RFC 8628), token (pasted), pkce (code + PKCE)
        scopes = ["repo"]                       asked for at sign-in
        syncs = ["Issues assigned to you, as tasks"]
        setup = ["Open https://github.com/settings/developers ...", "..."]   the household's own app
        needs_client_id = true                  the member gives the app's client id at sign-in
        needs_client_secret = false             ... and its secret (Google's desktop apps have one)
        token_label = "API token"               what the token field is called (sign_in "token")
        token_header = "Bearer {token}"         the Authorization header a token goes in; {client_id}
                                                is the app's id the member gave (Trello's key + token)
        [urls]                                  the service's fixed addresses, by name
        api = "https://api.github.com"
        auth = "https://github.com"
        follow_to = ["download"]                [urls] names (https) a redirect may go to: followed
                                                once, without the sign-in (Box's downloads)
        [oauth]                                 paths under those addresses, `name:path`
        device_code = "auth:/login/device/code"
        token = "auth:/login/oauth/access_token"
        authorize = "auth:/o/oauth2/v2/auth"    (pkce)
        revoke = "auth:/revoke"                 where the service can revoke a grant
        authorize_params = { access_type = "offline" }   extra parameters for the consent page
        redirect = false                        pkce without a redirect: the service shows the code,
                                                the member pastes it (Dropbox)
        [rate_limit]
        requests = 5000                         a connection's budget ...
        per_seconds = 3600                      ... per this many seconds

Only the operator replaces the addresses (`connectors.base_urls`), never a member.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

__all__ = ["ConnectorManifest", "OAuthPaths", "RateLimit", "SignInKind"]

SignInKind = Literal["device", "token", "pkce"]
Positive = Annotated[int, msgspec.Meta(ge=1)]


class RateLimit(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    requests: Positive
    per_seconds: Positive


class OAuthPaths(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    device_code: str = ""
    token: str = ""
    authorize: str = ""
    revoke: str = ""
    authorize_params: dict[str, str] = {}  # extra query parameters the service's consent page needs
    redirect: bool = True  # False: no redirect_uri; the service shows the code and the member pastes it


class ConnectorManifest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str
    title: str
    sign_in: Annotated[list[SignInKind], msgspec.Meta(min_length=1)]
    syncs: list[str]
    setup: list[str]
    urls: dict[str, str]
    rate_limit: RateLimit
    scopes: list[str] = []
    needs_client_id: bool = False
    needs_client_secret: bool = False
    token_label: str = "API token"
    token_header: str = "Bearer {token}"
    oauth: OAuthPaths = OAuthPaths()
    follow_to: list[str] = []

    def check(self) -> None:
        """ValueError for a manifest whose sign-in kinds lack the addresses they need."""
        needs = {"device": ("device_code", "token"), "pkce": ("authorize", "token"), "token": ()}
        for kind in self.sign_in:
            for path in needs[kind]:
                if not getattr(self.oauth, path):
                    raise ValueError(f"{self.name}: sign-in {kind!r} needs oauth.{path}")
        for value in (self.oauth.device_code, self.oauth.token, self.oauth.authorize, self.oauth.revoke):
            if value and value.partition(":")[0] not in self.urls:
                raise ValueError(f"{self.name}: oauth path {value!r} names no address in [urls]")
        for name in self.follow_to:
            if not self.urls.get(name, "").startswith("https://"):
                raise ValueError(f"{self.name}: follow_to {name!r} must name an https address in [urls]")
