"""A loopback Google: the OAuth 2.0 desktop-app flow (authorization code + PKCE S256 with a
loopback redirect, `POST /token`, `POST /revoke`) and Calendar API v3 (`calendars/primary`,
`calendars/primary/events` with `pageToken`, `nextSyncToken`/`syncToken`, cancelled events in
incremental results, a repeating event's `recurrence` as Google keeps it (RFC 5545 RRULE, EXDATE
and RDATE lines, e.g. `RDATE;VALUE=DATE:20261226` or `RDATE;TZID=Europe/Berlin:20261226T090000`),
its occurrences changed or cancelled on their own as events of their own (`recurringEventId`,
`originalStartTime`: `{"dateTime", "timeZone"}`, or `{"date"}` for an all-day series, whose moved
occurrence has `start`/`end` dates, the end exclusive; cancelled ones in full listings too, as
with `singleEvents` and `showDeleted` false), one event by `events/{id}`, 410 when a sync token
is no longer valid, 401 for an expired token) and Google's rate limits (403 with reason
rateLimitExceeded/userRateLimitExceeded, or 429 RESOURCE_EXHAUSTED), which Drive answers alike.

`consent(authorize_url, email)` plays the member at Google's consent page and returns the
address the browser lands on (which nothing serves: the member pastes it into Atom)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.fakes.loopback import Recorded, Reply
from tests.fakes.service import ServiceFake

__all__ = ["FakeGoogleCalendar", "CLIENT_ID", "CLIENT_SECRET"]

CLIENT_ID = "1234-atom.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-desktop-secret"
_UNAUTHENTICATED = {
    "error": {"code": 401, "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED"}
}


@dataclass
class _Event:
    id: str
    body: dict[str, Any]
    changed_at: int
    cancelled: bool = False
    occurrence_of: dict[str, Any] | None = None  # an exception: recurringEventId and originalStartTime

    def json(self) -> dict[str, Any]:
        which = self.occurrence_of or {}
        if self.cancelled:  # Google: only these fields are sure to be there for a cancelled one
            return {"kind": "calendar#event", "id": self.id, "status": "cancelled", **which}
        return {
            "kind": "calendar#event",
            "id": self.id,
            "status": "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={self.id}",
            **self.body,
            **which,
        }


@dataclass
class _State:
    codes: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> what consent was given for
    access: dict[str, tuple[str, float]] = field(default_factory=dict)  # token -> (refresh token, expires)
    refresh: dict[str, str] = field(default_factory=dict)  # refresh token -> email
    events: dict[str, _Event] = field(default_factory=dict)
    changes: int = 0
    epoch: int = 0  # sync tokens of an earlier epoch answer 410


class FakeGoogleCalendar(ServiceFake):
    connector = "google_calendar"

    def __init__(self) -> None:
        super().__init__()
        self.state = _State()
        self.page_size = 100  # Google may answer fewer than maxResults; pages come sooner
        self.limits: list[tuple[str, str | None]] = []  # (reason, Retry-After) for the next API requests

    # --- the member, at Google ---------------------------------------------------

    def consent(self, authorize_url: str, email: str = "ada@example.com") -> str:
        query = dict(parse_qsl(urlsplit(authorize_url).query))
        assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
        assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
        assert urlsplit(query["redirect_uri"]).hostname == "127.0.0.1"  # Google's desktop apps: loopback only
        code = "4/0A" + secrets.token_urlsafe(24)
        self.state.codes[code] = {**query, "email": email}
        return f"{query['redirect_uri']}?{urlencode({'state': query['state'], 'code': code, 'scope': query['scope']})}"

    def add(self, event_id: str, **body: Any) -> None:
        self.state.changes += 1
        self.state.events[event_id] = _Event(event_id, body, self.state.changes)

    def change(self, event_id: str, **body: Any) -> None:
        self.state.changes += 1
        event = self.state.events[event_id]
        event.body |= body
        event.changed_at = self.state.changes

    def cancel(self, event_id: str) -> None:
        self.state.changes += 1
        event = self.state.events[event_id]
        event.cancelled, event.changed_at = True, self.state.changes

    def rate_limit(self, times: int, reason: str = "userRateLimitExceeded", retry_after: str | None = None) -> None:
        """The next `times` API requests answer as Google does over its quota: 403 with `reason`, or
        429 RESOURCE_EXHAUSTED for `reason="RESOURCE_EXHAUSTED"`."""
        with self.lock:
            self.limits += [(reason, retry_after)] * times

    def limited(self) -> Reply:
        """The next queued rate-limit answer (called under the fake's lock)."""
        reason, retry_after = self.limits.pop(0)
        headers = {"retry-after": retry_after} if retry_after else {}
        if reason == "RESOURCE_EXHAUSTED":
            info = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED"}
            message = "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user'."
            return Reply(
                429,
                {"error": {"code": 429, "message": message, "status": "RESOURCE_EXHAUSTED", "details": [info]}},
                headers,
            )
        error = {"domain": "usageLimits", "reason": reason, "message": "Rate Limit Exceeded"}
        return Reply(403, {"error": {"errors": [error], "code": 403, "message": "Rate Limit Exceeded"}}, headers)

    def change_occurrence(self, series_id: str, original: dict[str, str], **body: Any) -> str:
        """One occurrence of `series_id` changed on its own (e.g. moved): an event of its own, whose
        id is Google's `<series id>_<original start in UTC>`; its id."""
        event_id = f"{series_id}_{_instance_suffix(original)}"
        self.state.changes += 1
        which = {"recurringEventId": series_id, "originalStartTime": original}
        known = self.state.events.get(event_id)
        self.state.events[event_id] = _Event(
            event_id, (known.body if known else {}) | body, self.state.changes, False, which
        )
        return event_id

    def cancel_occurrence(self, series_id: str, original: dict[str, str]) -> None:
        """One occurrence deleted on its own: a cancelled exception (the series stays)."""
        event_id = self.change_occurrence(series_id, original)
        self.state.events[event_id].cancelled = True

    def forget_sync_tokens(self) -> None:
        self.state.epoch += 1

    def revoke_all(self) -> None:
        self.state.access.clear()
        self.state.refresh.clear()

    def expire_access_tokens(self) -> None:
        self.state.access = {token: (refresh, time.time() - 1) for token, (refresh, _) in self.state.access.items()}

    # --- the wire -----------------------------------------------------------------

    def route(self, request: Recorded) -> Reply:
        if request.method == "POST" and request.path == "/token":
            return self._token(request.body or {})
        if request.method == "POST" and request.path == "/revoke":
            return self._revoke((request.body or {}).get("token", ""))
        if self.limits and request.path.startswith("/calendar/v3/"):  # route runs under the fake's lock
            return self.limited()
        email = self._email(request)
        if email is None:
            return Reply(401, _UNAUTHENTICATED, {"www-authenticate": 'Bearer realm="https://accounts.google.com/"'})
        if request.path == "/calendar/v3/calendars/primary":
            return Reply(200, {"kind": "calendar#calendar", "id": email, "summary": email, "timeZone": "Europe/Berlin"})
        if request.path == "/calendar/v3/calendars/primary/events":
            return self._events(request.query)
        if request.path.startswith("/calendar/v3/calendars/primary/events/"):
            found = self.state.events.get(request.path.rpartition("/")[2])
            if found is not None:
                return Reply(200, found.json())  # a deleted one too, with status "cancelled"
        return Reply(404, {"error": {"code": 404, "message": "Not Found"}})

    def _token(self, form: dict[str, str]) -> Reply:
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return Reply(401, {"error": "invalid_client", "error_description": "Unauthorized"})
        if form.get("grant_type") == "authorization_code":
            return self._exchange(form)
        if form.get("grant_type") == "refresh_token":
            email = self.state.refresh.get(form.get("refresh_token", ""))
            if email is None:
                return Reply(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
            return Reply(200, self._access(form["refresh_token"]))
        return Reply(400, {"error": "unsupported_grant_type"})

    def _exchange(self, form: dict[str, str]) -> Reply:
        given = self.state.codes.pop(form.get("code", ""), None)  # a code is good once
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
        if given is None or given["redirect_uri"] != form.get("redirect_uri") or given["code_challenge"] != challenge:
            return Reply(400, {"error": "invalid_grant", "error_description": "Bad Request"})
        refresh = "1//0g" + secrets.token_urlsafe(24)
        self.state.refresh[refresh] = given["email"]
        return Reply(200, self._access(refresh) | {"refresh_token": refresh})

    def _access(self, refresh: str) -> dict[str, Any]:
        token = "ya29." + secrets.token_urlsafe(24)
        self.state.access[token] = (refresh, time.time() + 3599)
        return {
            "access_token": token,
            "expires_in": 3599,
            "token_type": "Bearer",
            "scope": "https://www.googleapis.com/auth/calendar.readonly",
        }

    def _revoke(self, token: str) -> Reply:
        refresh = token if token in self.state.refresh else self.state.access.get(token, ("", 0))[0]
        if refresh not in self.state.refresh:
            return Reply(400, {"error": "invalid_token", "error_description": "Token expired or revoked"})
        del self.state.refresh[refresh]
        self.state.access = {t: v for t, v in self.state.access.items() if v[0] != refresh}
        return Reply(200, {})

    def _email(self, request: Recorded) -> str | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        refresh, expires = self.state.access.get(token, ("", 0.0))
        return self.state.refresh.get(refresh) if expires > time.time() else None

    def _events(self, query: dict[str, str]) -> Reply:
        if "syncToken" in query and not query["syncToken"].startswith(f"sync-{self.state.epoch}-"):
            gone = {
                "code": 410,
                "message": "Sync token is no longer valid, a full sync is required.",
                "errors": [{"domain": "calendar", "reason": "fullSyncRequired"}],
            }
            return Reply(410, {"error": gone})
        since, offset, snapshot = self._position(query)
        found = sorted(
            (
                e
                for e in self.state.events.values()
                if e.changed_at <= snapshot and (e.changed_at > since if since is not None else self._listed(e))
            ),
            key=lambda e: (e.changed_at, e.id),
        )
        size = min(int(query.get("maxResults", "250")), self.page_size)
        chunk = found[offset : offset + size]
        answer: dict[str, Any] = {"kind": "calendar#events", "items": [e.json() for e in chunk]}
        if offset + size < len(found):
            answer["nextPageToken"] = f"{'' if since is None else since}:{offset + size}:{snapshot}"
        else:
            answer["nextSyncToken"] = f"sync-{self.state.epoch}-{snapshot}"
        return Reply(200, answer)

    def _listed(self, event: _Event) -> bool:
        """In a full listing: what is not deleted, and the cancelled occurrences of a series that is not."""
        if event.occurrence_of is None:
            return not event.cancelled
        series = self.state.events.get(event.occurrence_of["recurringEventId"])
        return series is not None and not series.cancelled

    def _position(self, query: dict[str, str]) -> tuple[int | None, int, int]:
        """(changes already seen, or None for a full listing; offset; the listing's snapshot)."""
        since = int(query["syncToken"].rpartition("-")[2]) if "syncToken" in query else None
        if "pageToken" in query:
            _, offset, snapshot = query["pageToken"].split(":")
            return since, int(offset), int(snapshot)
        return since, 0, self.state.changes


def _instance_suffix(original: dict[str, str]) -> str:
    """How Google names an instance: its original start in UTC (`20261207T080000Z`), or its date."""
    if "date" in original:
        return original["date"].replace("-", "")
    return datetime.fromisoformat(original["dateTime"]).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
