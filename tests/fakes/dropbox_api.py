"""A loopback Dropbox: OAuth 2 code + PKCE without a redirect (`/oauth2/authorize` shows the
member a code; `POST /oauth2/token` exchanges it with the verifier, and refreshes; Dropbox does
not rotate refresh tokens), `POST /2/auth/token/revoke`, `POST /2/users/get_current_account`,
`POST /2/files/list_folder` and `/list_folder/continue` (pages by `cursor`/`has_more`; a cursor
later returns only what changed, deleted entries tagged `deleted`; 409 `reset` for a cursor it
no longer honours) and `POST /2/files/download` on the content host (`Dropbox-API-Arg`).
Errors are Dropbox's: `{"error_summary": "expired_access_token/..", "error": {".tag": ...}}`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.loopback import Recorded, Reply
from tests.fakes.service import ServiceFake

__all__ = ["FakeDropbox", "APP_KEY"]

APP_KEY = "q8v3x0atomkey1z"


@dataclass
class _File:
    path: str  # as displayed
    data: bytes
    changed_at: int
    id: str = field(default_factory=lambda: "id:" + secrets.token_urlsafe(12))
    size: int | None = None  # what the metadata says, when a test wants it to differ
    deleted: bool = False

    def json(self) -> dict[str, Any]:
        name = self.path.rsplit("/", 1)[-1]
        if self.deleted:
            return {".tag": "deleted", "name": name, "path_lower": self.path.lower(), "path_display": self.path}
        return {
            ".tag": "file",
            "name": name,
            "id": self.id,
            "path_lower": self.path.lower(),
            "path_display": self.path,
            "client_modified": "2026-11-20T10:00:00Z",
            "server_modified": "2026-11-20T10:00:00Z",
            "rev": f"0160{self.changed_at:08x}",
            "size": len(self.data) if self.size is None else self.size,
            "is_downloadable": True,
            "content_hash": hashlib.sha256(self.data).hexdigest(),
        }


@dataclass
class _State:
    codes: dict[str, dict[str, str]] = field(default_factory=dict)  # shown code -> the authorize request
    access: dict[str, tuple[str, float]] = field(default_factory=dict)  # token -> (refresh token or "", expires)
    refresh: set[str] = field(default_factory=set)
    files: dict[str, _File] = field(default_factory=dict)  # path_lower -> file
    changes: int = 0
    epoch: int = 0


class FakeDropbox(ServiceFake):
    connector = "dropbox"

    def __init__(self) -> None:
        super().__init__()
        self.state = _State()
        self.page_size = 100  # Dropbox may answer fewer entries than `limit`

    # --- what a test does at Dropbox -------------------------------------------------------

    def consent(self, authorize_url: str) -> str:
        """The member allows Atom; with no redirect_uri, Dropbox shows the code to copy."""
        query = dict(parse_qsl(urlsplit(authorize_url).query))
        assert query["client_id"] == APP_KEY and query["response_type"] == "code" and "redirect_uri" not in query
        assert query["code_challenge_method"] == "S256" and query["token_access_type"] == "offline"
        code = secrets.token_urlsafe(32)
        self.state.codes[code] = query
        return code

    def generated_token(self) -> str:
        """The App Console's Generate access token (short-lived, no refresh token)."""
        token = "sl.B" + secrets.token_urlsafe(40)
        self.state.access[token] = ("", time.time() + 14400)
        return token

    def put(self, path: str, data: bytes, **fields: Any) -> _File:
        self.state.changes += 1
        found = _File(path, data, self.state.changes, **fields)
        self.state.files[path.lower()] = found
        return found

    def delete(self, path: str) -> None:
        self.state.changes += 1
        found = self.state.files[path.lower()]
        found.deleted, found.changed_at = True, self.state.changes

    def forget_cursors(self) -> None:
        self.state.epoch += 1

    def revoke_all(self) -> None:
        self.state.access.clear()
        self.state.refresh.clear()

    def expire_access_tokens(self) -> None:
        self.state.access = {t: (r, time.time() - 1) for t, (r, _) in self.state.access.items()}

    # --- the wire ---------------------------------------------------------------------------

    def route(self, request: Recorded) -> Reply:
        if request.method == "POST" and request.path == "/oauth2/token":
            return self._token(request.body or {})
        if not self._authorised(request):
            return _error(401, "expired_access_token/", {".tag": "expired_access_token"})
        if request.method != "POST":
            return Reply(405, b"Method Not Allowed")
        if request.path == "/2/auth/token/revoke":
            return self._revoke(request)
        if request.path == "/2/users/get_current_account":
            name = {"given_name": "Ada", "surname": "Lovelace", "display_name": "Ada Lovelace"}
            return Reply(200, {"account_id": "dbid:AAH4f99", "name": name, "email": "ada@example.com"})
        if request.path == "/2/files/list_folder":
            return self._list(None, 0, self.state.changes)
        if request.path == "/2/files/list_folder/continue":
            return self._continue(str((request.body or {}).get("cursor", "")))
        if request.path == "/2/files/download":
            return self._download(request.headers.get("dropbox-api-arg", "{}"))
        return Reply(404, b"Unknown API function")

    def _token(self, form: dict[str, str]) -> Reply:
        if form.get("client_id") != APP_KEY:
            return Reply(400, {"error": "invalid_client", "error_description": "Invalid client_id or client_secret"})
        if form.get("grant_type") == "authorization_code":
            return self._exchange(form)
        if form.get("grant_type") == "refresh_token" and form.get("refresh_token") in self.state.refresh:
            return Reply(200, self._access(form["refresh_token"]))
        return Reply(400, {"error": "invalid_grant", "error_description": "refresh token is invalid or revoked"})

    def _exchange(self, form: dict[str, str]) -> Reply:
        asked = self.state.codes.pop(form.get("code", ""), None)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
        if asked is None or asked["code_challenge"] != challenge.rstrip(b"=").decode():
            return Reply(400, {"error": "invalid_grant", "error_description": "code doesn't exist or has expired"})
        if "redirect_uri" in form:  # none was given at /oauth2/authorize
            return Reply(400, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"})
        refresh = secrets.token_urlsafe(48)
        self.state.refresh.add(refresh)
        return Reply(200, self._access(refresh) | {"refresh_token": refresh, "account_id": "dbid:AAH4f99"})

    def _access(self, refresh: str) -> dict[str, Any]:
        token = "sl.B" + secrets.token_urlsafe(40)
        self.state.access[token] = (refresh, time.time() + 14400)
        scope = "account_info.read files.content.read files.metadata.read"
        return {"access_token": token, "token_type": "bearer", "expires_in": 14400, "scope": scope, "uid": "12345"}

    def _authorised(self, request: Recorded) -> bool:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        refresh, expires = self.state.access.get(token, ("", 0.0))
        return expires > time.time() and (refresh == "" or refresh in self.state.refresh)

    def _revoke(self, request: Recorded) -> Reply:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        refresh, _ = self.state.access.pop(token)
        self.state.refresh.discard(refresh)
        return Reply(200, None)

    def _continue(self, cursor: str) -> Reply:
        try:
            epoch, since, offset, snapshot = (int(part) if part else -1 for part in cursor.split("."))
        except ValueError:
            return _error(400, 'Error in call to API function "files/list_folder/continue": bad cursor', None)
        if epoch != self.state.epoch:
            return _error(409, "reset/..", {".tag": "reset"})
        if offset < 0:  # a finished listing's cursor: what changed after it
            return self._list(snapshot, 0, self.state.changes)
        return self._list(None if since < 0 else since, offset, snapshot)

    def _list(self, since: int | None, offset: int, snapshot: int) -> Reply:
        found = sorted(
            (
                f
                for f in self.state.files.values()
                if f.changed_at <= snapshot and (f.changed_at > since if since is not None else not f.deleted)
            ),
            key=lambda f: (f.changed_at, f.path),
        )
        chunk, more = found[offset : offset + self.page_size], offset + self.page_size < len(found)
        after = "" if since is None else str(since)
        cursor = (
            f"{self.state.epoch}.{after}.{offset + self.page_size}.{snapshot}"
            if more
            else f"{self.state.epoch}...{snapshot}"
        )
        return Reply(200, {"entries": [f.json() for f in chunk], "cursor": cursor, "has_more": more})

    def _download(self, arg: str) -> Reply:
        wanted = json.loads(arg).get("path", "")
        found = next((f for f in self.state.files.values() if wanted in (f.id, f.path.lower()) and not f.deleted), None)
        if found is None:
            return _error(409, "path/not_found/..", {".tag": "path", "path": {".tag": "not_found"}})
        return Reply(
            200,
            found.data,
            {"dropbox-api-result": json.dumps(found.json()), "content-type": "application/octet-stream"},
        )


def _error(status: int, summary: str, error: dict[str, Any] | None) -> Reply:
    return Reply(status, {"error_summary": summary, "error": error} if error else summary.encode())
