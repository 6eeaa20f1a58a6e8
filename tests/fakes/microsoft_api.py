"""A loopback Microsoft: the identity platform's device authorization grant
(`POST /common/oauth2/v2.0/devicecode` and `/token`, errors as HTTP 400 with `error`,
`error_description` and `error_codes`; refresh tokens rotate, a used one is dead) and Microsoft
Graph v1.0: `GET /me`, `GET /me/todo/lists`, `GET /me/todo/lists/{id}/tasks/delta`,
`PATCH /me/todo/lists/{id}/tasks/{id}` and `GET /me/calendarView/delta` (pages linked by
`@odata.nextLink` with a `$skiptoken`, the last one holding an `@odata.deltaLink` with a
`$deltatoken`; removed items as `@removed`; 410 for a delta token Graph has forgotten; 401
`InvalidAuthenticationToken` for an expired or revoked token).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from tests.fakes.loopback import Recorded, Reply
from tests.fakes.service import ServiceFake

__all__ = ["FakeMicrosoft", "CLIENT_ID"]

CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"
_DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
_EXPIRED = {
    "error": {
        "code": "InvalidAuthenticationToken",
        "message": "Access token has expired or is not yet valid.",
        "innerError": {"date": "2026-11-30T03:00:00", "request-id": "b1f4a6e2-0000-0000-0000-000000000000"},
    }
}


@dataclass
class _Device:
    user_code: str
    email: str | None = None
    declined: bool = False
    last_poll: float = 0.0


@dataclass
class _Item:
    id: str
    body: dict[str, Any]
    changed_at: int
    removed: bool = False

    def json(self) -> dict[str, Any]:
        if self.removed:
            return {"id": self.id, "@removed": {"reason": "deleted"}}
        return {"@odata.etag": f'W/"{self.changed_at}"', "id": self.id, **self.body}


@dataclass
class _State:
    devices: dict[str, _Device] = field(default_factory=dict)
    access: dict[str, tuple[str, float]] = field(default_factory=dict)  # token -> (email, expires)
    refresh: dict[str, str] = field(default_factory=dict)  # live refresh token -> email
    lists: dict[str, str] = field(default_factory=dict)  # list id -> name
    tasks: dict[str, dict[str, _Item]] = field(default_factory=dict)  # list id -> task id -> task
    events: dict[str, _Item] = field(default_factory=dict)
    changes: int = 0
    epoch: int = 0  # delta tokens of an earlier epoch answer 410


class FakeMicrosoft(ServiceFake):
    connector = "microsoft"

    def __init__(self, *, interval: int = 1) -> None:
        super().__init__()
        self.interval = interval
        self.page_size = 100  # Graph's pages are at most odata.maxpagesize, often fewer
        self.state = _State()

    # --- what a test does at Microsoft ---------------------------------------------------

    def approve(self, user_code: str, email: str = "ada@outlook.com") -> None:
        next(d for d in self.state.devices.values() if d.user_code == user_code).email = email

    def decline(self, user_code: str) -> None:
        next(d for d in self.state.devices.values() if d.user_code == user_code).declined = True

    def add_list(self, name: str) -> str:
        list_id = "AQMkADAwATM0MDAAMS1" + secrets.token_urlsafe(12)
        self.state.lists[list_id] = name
        self.state.tasks[list_id] = {}
        return list_id

    def add_task(self, list_id: str, title: str, **body: Any) -> str:
        with self.lock:  # the server thread answers meanwhile: a change is seen whole or not at all
            task_id = "AAMkAGVmMDEz" + secrets.token_urlsafe(12)
            fields = {
                "title": title,
                "status": "notStarted",
                "importance": "normal",
                "body": {"content": "", "contentType": "text"},
            }
            self.state.tasks[list_id][task_id] = _Item(task_id, fields | body, self._tick())
            return task_id

    def change_task(self, list_id: str, task_id: str, **body: Any) -> None:
        with self.lock:  # the server thread answers meanwhile: a change is seen whole or not at all
            item = self.state.tasks[list_id][task_id]
            item.body |= body
            item.changed_at = self._tick()

    def delete_task(self, list_id: str, task_id: str) -> None:
        with self.lock:  # the server thread answers meanwhile: a change is seen whole or not at all
            item = self.state.tasks[list_id][task_id]
            item.removed, item.changed_at = True, self._tick()

    def delete_list(self, list_id: str) -> None:
        del self.state.lists[list_id]

    def add_event(self, subject: str, starts: datetime, ends: datetime, **body: Any) -> str:
        with self.lock:  # the server thread answers meanwhile: a change is seen whole or not at all
            event_id = "AAMkAGI2TG93AAA" + secrets.token_urlsafe(12)
            fields = {
                "subject": subject,
                "bodyPreview": "",
                "isAllDay": False,
                "isCancelled": False,
                "type": "singleInstance",
                "start": {"dateTime": starts.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"},
                "end": {"dateTime": ends.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"},
                "location": {"displayName": ""},
                "webLink": f"https://outlook.live.com/owa/?itemid={event_id}&exvsurl=1&path=/calendar/item",
            }
            self.state.events[event_id] = _Item(event_id, fields | body, self._tick())
            return event_id

    def change_event(self, event_id: str, **body: Any) -> None:
        with self.lock:  # the server thread answers meanwhile: a change is seen whole or not at all
            item = self.state.events[event_id]
            item.body |= body
            item.changed_at = self._tick()

    def delete_event(self, event_id: str) -> None:
        with self.lock:  # the server thread answers meanwhile: a change is seen whole or not at all
            item = self.state.events[event_id]
            item.removed, item.changed_at = True, self._tick()

    def forget_delta_tokens(self) -> None:
        self.state.epoch += 1

    def revoke_all(self) -> None:
        """The member removed Atom at account.live.com/consent/Manage."""
        self.state.access.clear()
        self.state.refresh.clear()

    def expire_access_tokens(self) -> None:
        self.state.access = {token: (email, time.time() - 1) for token, (email, _) in self.state.access.items()}

    # --- the wire -------------------------------------------------------------------------

    def route(self, request: Recorded) -> Reply:
        if request.method == "POST" and request.path == "/common/oauth2/v2.0/devicecode":
            return self._device_code(request.body or {})
        if request.method == "POST" and request.path == "/common/oauth2/v2.0/token":
            return self._token(request.body or {})
        email = self._email(request)
        if email is None:
            return Reply(401, _EXPIRED, {"www-authenticate": 'Bearer realm="", error="invalid_token"'})
        return self._graph(request, email)

    def _graph(self, request: Recorded, email: str) -> Reply:
        parts = request.path.removeprefix("/v1.0/").split("/")
        if request.method == "GET" and parts == ["me"]:
            return Reply(
                200, {"displayName": "Ada Lovelace", "userPrincipalName": email, "mail": email, "id": "87d349ed"}
            )
        if request.method == "GET" and parts == ["me", "todo", "lists"]:
            lists = [
                {"id": i, "displayName": n, "isOwner": True, "wellknownListName": "none"}
                for i, n in self.state.lists.items()
            ]
            return Reply(200, {"@odata.context": f"{self.url}/v1.0/$metadata#lists", "value": lists})
        if request.method == "GET" and parts[:3] == ["me", "todo", "lists"] and parts[4:] == ["tasks", "delta"]:
            found = self.state.tasks.get(parts[3])
            return _not_found() if found is None else self._delta(request, list(found.values()))
        if request.method == "PATCH" and parts[:3] == ["me", "todo", "lists"] and len(parts) == 6:
            return self._patch_task(parts[3], parts[5], request.body or {})
        if request.method == "GET" and parts == ["me", "calendarView", "delta"]:
            return self._calendar_delta(request)
        return _not_found()

    def _device_code(self, form: dict[str, str]) -> Reply:
        if form.get("client_id") != CLIENT_ID:
            return _oauth_error(
                "unauthorized_client", 700016, f"Application with identifier '{form.get('client_id')}' was not found."
            )
        if "offline_access" not in form.get("scope", "").split():
            return _oauth_error("invalid_scope", 70011, "The provided value for scope is not valid.")
        device_code = "DAQABAAEAAAD" + secrets.token_urlsafe(32)
        user_code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(9))
        self.state.devices[device_code] = _Device(user_code=user_code)
        message = (
            "To sign in, use a web browser to open the page https://microsoft.com/devicelogin"
            f" and enter the code {user_code} to authenticate."
        )
        answer = {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": "https://microsoft.com/devicelogin",
            "expires_in": 900,
            "interval": self.interval,
            "message": message,
        }
        return Reply(200, answer)

    def _token(self, form: dict[str, str]) -> Reply:
        if form.get("client_id") != CLIENT_ID:
            return _oauth_error("unauthorized_client", 700016, "Application was not found in the directory.")
        if "client_secret" in form:
            return _oauth_error("invalid_request", 90023, "Public clients can't send a client secret.")
        if form.get("grant_type") == _DEVICE_GRANT:
            return self._device_token(form.get("device_code", ""))
        if form.get("grant_type") == "refresh_token":
            email = self.state.refresh.pop(form.get("refresh_token", ""), None)  # rotated: a used one is dead
            if email is None:
                return _oauth_error("invalid_grant", 70000, "The provided value for 'refresh_token' is not valid.")
            return self._issue(email)
        return _oauth_error("unsupported_grant_type", 70003, "The app requested an unsupported grant type.")

    def _device_token(self, device_code: str) -> Reply:
        device = self.state.devices.get(device_code)
        if device is None:
            return _oauth_error("expired_token", 70019, "Verification code expired.")
        now, last = time.time(), device.last_poll
        device.last_poll = now
        if now - last < self.interval:
            return _oauth_error("slow_down", 70016, "Polling too fast.")
        if device.declined:
            return _oauth_error("authorization_declined", 70000, "The user declined the authorization.")
        if device.email is None:
            return _oauth_error(
                "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending."
            )
        del self.state.devices[device_code]
        return self._issue(device.email)

    def _issue(self, email: str) -> Reply:
        token, refresh = "EwBwA8l6BAAU" + secrets.token_urlsafe(32), "M.C507_BAY." + secrets.token_urlsafe(32)
        self.state.access[token] = (email, time.time() + 3600)
        self.state.refresh[refresh] = email
        answer = {
            "token_type": "Bearer",
            "scope": "User.Read Tasks.ReadWrite Calendars.Read",
            "expires_in": 3600,
            "ext_expires_in": 3600,
            "access_token": token,
            "refresh_token": refresh,
        }
        return Reply(200, answer)

    def _email(self, request: Recorded) -> str | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        email, expires = self.state.access.get(token, ("", 0.0)) if scheme == "Bearer" else ("", 0.0)
        return email if expires > time.time() and email in self.state.refresh.values() else None

    def _patch_task(self, list_id: str, task_id: str, body: dict[str, Any]) -> Reply:
        item = self.state.tasks.get(list_id, {}).get(task_id)
        if item is None or item.removed:
            return _not_found()
        item.body |= {k: v for k, v in body.items() if k in ("status", "title")}  # the lock is held here
        item.changed_at = self._tick()
        return Reply(200, item.json())

    def _calendar_delta(self, request: Recorded) -> Reply:
        fresh = "$deltatoken" not in request.query and "$skiptoken" not in request.query
        if fresh and not ("startDateTime" in request.query and "endDateTime" in request.query):
            message = "This request requires a time window specified by the query string parameters StartDateTime"
            message += " and EndDateTime."
            return Reply(400, {"error": {"code": "ErrorInvalidParameter", "message": message}})
        return self._delta(request, list(self.state.events.values()))

    def _delta(self, request: Recorded, items: list[_Item]) -> Reply:
        """Graph's change tracking: a full listing, then only what changed since the delta token."""
        query = request.query
        since, offset, snapshot = self._position(query)
        if since is not None and since < 0:
            gone = {"code": "syncStateNotFound", "message": "The sync state generation is not found."}
            return Reply(410, {"error": gone})
        found = sorted(
            (
                i
                for i in items
                if i.changed_at <= snapshot and (i.changed_at > since if since is not None else not i.removed)
            ),
            key=lambda i: (i.changed_at, i.id),
        )
        chunk = found[offset : offset + self.page_size]
        answer: dict[str, Any] = {
            "@odata.context": f"{self.url}/v1.0/$metadata#Collection",
            "value": [i.json() for i in chunk],
        }
        keep = {k: v for k, v in query.items() if not k.startswith("$")}
        if offset + self.page_size < len(found):
            skip = f"{self.state.epoch}.{'' if since is None else since}.{offset + self.page_size}.{snapshot}"
            answer["@odata.nextLink"] = f"{self.url}{request.path}?{urlencode(keep | {'$skiptoken': skip})}"
        else:
            answer["@odata.deltaLink"] = (
                f"{self.url}{request.path}?{urlencode(keep | {'$deltatoken': f'{self.state.epoch}.{snapshot}'})}"
            )
        return Reply(200, answer)

    def _position(self, query: dict[str, str]) -> tuple[int | None, int, int]:
        """(changes already seen, None for a full listing, -1 for a forgotten token; offset; snapshot)."""
        if "$skiptoken" in query:
            epoch, since, offset, snapshot = query["$skiptoken"].split(".")
            seen = int(since) if since else None
            return (seen if int(epoch) == self.state.epoch else -1), int(offset), int(snapshot)
        if "$deltatoken" in query:
            epoch, since = query["$deltatoken"].split(".")
            return (int(since) if int(epoch) == self.state.epoch else -1), 0, self.state.changes
        return None, 0, self.state.changes

    def _tick(self) -> int:
        self.state.changes += 1
        return self.state.changes


def _oauth_error(error: str, code: int, description: str) -> Reply:
    body = {
        "error": error,
        "error_description": f"AADSTS{code}: {description}",
        "error_codes": [code],
        "timestamp": "2026-11-30 03:00:00Z",
        "trace_id": "0b2b9c8e-0000-0000-0000-000000000000",
        "correlation_id": "2c7a3f11-0000-0000-0000-000000000000",
    }
    return Reply(400, body)


def _not_found() -> Reply:
    return Reply(404, {"error": {"code": "ResourceNotFound", "message": "Resource not found for the segment."}})
