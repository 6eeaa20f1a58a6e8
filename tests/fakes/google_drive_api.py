"""A loopback Google Drive: Google's OAuth desktop-app flow as the Calendar fake speaks it (code +
PKCE with a loopback redirect, `/token`, `/revoke`), and Drive API v3: `GET /drive/v3/about`,
`/changes/startPageToken`, `/files` (paged by `pageToken`), `/changes` (from a page token,
paged, ending with `newStartPageToken`; removed and trashed files as such), a file's bytes by
`?alt=media` and a Google Doc's text by `/export?mimeType=text/plain`; 401 for an expired token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from tests.fakes.google_calendar_api import FakeGoogleCalendar
from tests.fakes.loopback import Recorded, Reply

__all__ = ["FakeGoogleDrive", "DOC", "PDF"]

DOC = "application/vnd.google-apps.document"
PDF = "application/pdf"


@dataclass
class _File:
    id: str
    name: str
    mime: str
    data: bytes
    changed_at: int
    trashed: bool = False
    removed: bool = False  # deleted for good, or no longer shared with the member

    def json(self) -> dict[str, Any]:
        found = {
            "kind": "drive#file",
            "id": self.id,
            "name": self.name,
            "mimeType": self.mime,
            "modifiedTime": "2026-11-20T10:00:00.000Z",
            "webViewLink": f"https://docs.google.com/document/d/{self.id}/edit",
            "trashed": self.trashed,
        }
        return found if self.mime == DOC else found | {"size": str(len(self.data))}


class FakeGoogleDrive(FakeGoogleCalendar):
    connector = "google_drive"

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, _File] = {}
        self.drive_changes = 0

    def put(self, name: str, data: bytes, mime: str = "text/plain") -> _File:
        with self.lock:
            self.drive_changes += 1
            found = _File("1" + secrets.token_urlsafe(20), name, mime, data, self.drive_changes)
            self.files[found.id] = found
            return found

    def alter(self, found: _File, **fields: Any) -> None:
        with self.lock:
            for name, value in fields.items():
                setattr(found, name, value)
            self.drive_changes += 1
            found.changed_at = self.drive_changes

    def route(self, request: Recorded) -> Reply:
        if not request.path.startswith("/drive/v3/"):
            return super().route(request)
        if self.limits:  # route runs under the fake's lock
            return self.limited()
        email = self._email(request)
        if email is None:
            body = {"error": {"code": 401, "message": "Invalid Credentials", "status": "UNAUTHENTICATED"}}
            return Reply(401, body)
        path = request.path.removeprefix("/drive/v3/")
        if path == "about":
            return Reply(200, {"user": {"emailAddress": email, "displayName": "Ada Lovelace"}})
        if path == "changes/startPageToken":
            return Reply(200, {"kind": "drive#startPageToken", "startPageToken": str(self.drive_changes + 1)})
        if path == "files":
            return self._files(request.query)
        if path == "changes":
            return self._changes(request.query)
        return self._content(path, request.query)

    def _files(self, query: dict[str, str]) -> Reply:
        found = sorted((f for f in self.files.values() if not f.trashed and not f.removed), key=lambda f: f.id)
        start, size = int(query.get("pageToken", "0")), min(int(query.get("pageSize", "100")), 100)
        answer: dict[str, Any] = {"kind": "drive#fileList", "files": [f.json() for f in found[start : start + size]]}
        if start + size < len(found):
            answer["nextPageToken"] = str(start + size)
        return Reply(200, answer)

    def _changes(self, query: dict[str, str]) -> Reply:
        since = int(query["pageToken"]) - 1  # a token n: changes numbered n and later
        found = sorted((f for f in self.files.values() if f.changed_at > since), key=lambda f: f.changed_at)
        chunk = found[: min(int(query.get("pageSize", "100")), 100)]
        changes = [
            {"kind": "drive#change", "fileId": f.id, "removed": f.removed} | ({} if f.removed else {"file": f.json()})
            for f in chunk
        ]
        answer: dict[str, Any] = {"kind": "drive#changeList", "changes": changes}
        if len(chunk) < len(found):
            answer["nextPageToken"] = str(chunk[-1].changed_at + 1)
        else:
            answer["newStartPageToken"] = str(self.drive_changes + 1)
        return Reply(200, answer)

    def _content(self, path: str, query: dict[str, str]) -> Reply:
        file_id, _, export = path.removeprefix("files/").partition("/")
        found = self.files.get(file_id)
        if found is None or found.removed:
            return Reply(404, {"error": {"code": 404, "message": f"File not found: {file_id}."}})
        if export == "export":
            if found.mime != DOC or query.get("mimeType") != "text/plain":
                return Reply(403, {"error": {"code": 403, "message": "Export only supports Docs Editors files."}})
            return Reply(200, found.data, {"content-type": "text/plain"})
        if query.get("alt") != "media" or found.mime == DOC:
            return Reply(403, {"error": {"code": 403, "message": "Only files with binary content can be downloaded."}})
        return Reply(200, found.data, {"content-type": found.mime})
