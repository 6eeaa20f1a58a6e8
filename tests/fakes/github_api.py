"""A loopback GitHub: the device flow (RFC 8628 as github.com speaks it), expiring user tokens with
rotating refresh tokens (GitHub Apps), `GET /user`, `GET /issues` with `since` and Link pagination,
`GET /repos/{owner}/{repo}/issues/{number}` (301 for a transferred issue, 410 for a deleted one,
404 where the member cannot read it) and `DELETE /applications/{client_id}/grant`.

Documented behaviour kept: the token endpoint answers errors with 200 and `{"error": ...}`;
polling faster than `interval` answers `slow_down` with a new interval; a bad token answers 401
`Bad credentials`; a used refresh token is dead.
"""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tests.fakes.loopback import Recorded, Reply
from tests.fakes.service import ServiceFake

__all__ = ["FakeGitHub"]

CLIENT_ID = "Iv1.atomtest"
CLIENT_SECRET = "github-app-secret"


@dataclass
class _Device:
    user_code: str
    login: str | None = None  # set once the member typed the code and approved
    denied: bool = False
    last_poll: float = 0.0


@dataclass
class _Issue:
    id: int
    number: int
    title: str
    repo: str
    updated_at: datetime
    state: str = "open"
    body: str = ""
    pull_request: bool = False
    assignees: list[str] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        found = {
            "id": self.id,
            "number": self.number,
            "title": self.title,
            "state": self.state,
            "body": self.body,
            "html_url": f"https://github.com/{self.repo}/issues/{self.number}",
            "updated_at": self.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "repository": {"full_name": self.repo},
            "user": {"login": "someone"},
            "assignees": [{"login": login, "type": "User"} for login in self.assignees],
            "assignee": {"login": self.assignees[0], "type": "User"} if self.assignees else None,
        }
        if self.pull_request:
            found["pull_request"] = {"url": f"https://api.github.com/repos/{self.repo}/pulls/{self.number}"}
        return found


@dataclass
class _State:
    devices: dict[str, _Device] = field(default_factory=dict)
    tokens: dict[str, tuple[str, float | None]] = field(default_factory=dict)  # token -> (login, expires)
    refresh: dict[str, str] = field(default_factory=dict)  # live refresh token -> login
    issues: dict[str, list[_Issue]] = field(default_factory=dict)  # login -> assigned issues
    unassigned: list[_Issue] = field(default_factory=list)  # issues nobody is assigned
    gone: dict[str, Reply] = field(default_factory=dict)  # an issue's old path -> 301 or 410


class FakeGitHub(ServiceFake):
    connector = "github"

    def __init__(self, *, interval: int = 1, token_seconds: int | None = None) -> None:
        super().__init__()
        self.interval = interval
        self.token_seconds = token_seconds  # GitHub App user tokens expire (8 h there); None: OAuth app
        self.state = _State()
        self._next_id = 1000
        self._limited: tuple[int, int, float] = (0, 0, 0.0)  # reads still fine, reads limited, reset in

    # --- what a test does at github.com ---------------------------------------------

    def approve(self, user_code: str, login: str) -> None:
        device = next(d for d in self.state.devices.values() if d.user_code == user_code)
        device.login = login

    def deny(self, user_code: str) -> None:
        next(d for d in self.state.devices.values() if d.user_code == user_code).denied = True

    def assign(self, login: str, title: str, repo: str = "house/atom", **changes: Any) -> _Issue:
        self._next_id += 1
        issue = _Issue(
            id=self._next_id, number=self._next_id - 1000, title=title, repo=repo, updated_at=self._now(), **changes
        )
        issue.assignees.append(login)
        self.state.issues.setdefault(login, []).append(issue)
        return issue

    def reassign(self, issue: _Issue, to: str | None) -> None:
        """Assigned to `to` alone (None: to nobody), as the assignee picker does; it counts as a change."""
        self._drop(issue)
        issue.assignees = [to] if to else []
        (self.state.issues.setdefault(to, []) if to else self.state.unassigned).append(issue)
        issue.updated_at = self._now()

    def delete(self, issue: _Issue) -> None:
        self._drop(issue)
        self.state.gone[self._path(issue)] = Reply(
            410, {"message": "This issue was deleted", "documentation_url": "https://docs.github.com/rest"}
        )

    def transfer(self, issue: _Issue, repo: str) -> None:
        """Moved to `repo` (a new number there); its assignees lose it, as those without access there do."""
        old = self._path(issue)
        self._drop(issue)
        issue.repo, issue.number, issue.assignees = repo, issue.number + 500, []
        self.state.unassigned.append(issue)
        moved = f"{self.url}/repositories/{abs(hash(repo)) % 10**8}/issues/{issue.number}"
        self.state.gone[old] = Reply(
            301,
            {"message": "Moved Permanently", "url": moved, "documentation_url": "https://docs.github.com"},
            {"location": moved},
        )
        issue.updated_at = self._now()

    def change(self, issue: _Issue, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(issue, name, value)
        issue.updated_at = self._now()

    def limit_reads(self, times: int, *, reset_in: float, after: int = 0) -> None:
        """After `after` more issue reads, the next `times` meet the primary rate limit (403,
        `x-ratelimit-remaining: 0`, `x-ratelimit-reset` `reset_in` seconds on)."""
        self._limited = (after, times, reset_in)

    def revoke_all(self) -> None:
        """The member removed Atom at github.com/settings/applications."""
        self.state.tokens.clear()
        self.state.refresh.clear()

    def expire_access_tokens(self) -> None:
        self.state.tokens = {token: (login, time.time() - 1) for token, (login, _) in self.state.tokens.items()}

    # --- the wire -----------------------------------------------------------------

    def route(self, request: Recorded) -> Reply:
        if request.method == "POST" and request.path == "/login/device/code":
            return self._device_code(request.body or {})
        if request.method == "POST" and request.path == "/login/oauth/access_token":
            return self._token(request.body or {})
        if request.method == "DELETE" and request.path == f"/applications/{CLIENT_ID}/grant":
            return self._revoke(request)
        login = self._login(request)
        if login is None:
            return Reply(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
        if request.method == "GET" and request.path == "/user":
            return Reply(200, {"login": login, "id": 1, "type": "User"})
        if request.method == "GET" and request.path == "/issues":
            return self._issues(login, request.query)
        if request.method == "GET" and request.path.startswith("/repos/"):
            return self._issue(request.path)
        return Reply(404, {"message": "Not Found"})

    def _device_code(self, form: dict[str, str]) -> Reply:
        if form.get("client_id") != CLIENT_ID:
            return Reply(200, {"error": "incorrect_client_credentials"})
        device_code, user_code = secrets.token_hex(20), f"{secrets.randbelow(10**4):04d}-{secrets.randbelow(10**4):04d}"
        self.state.devices[device_code] = _Device(user_code=user_code)
        return Reply(
            200,
            {
                "device_code": device_code,
                "user_code": user_code,
                "expires_in": 900,
                "verification_uri": "https://github.com/login/device",
                "interval": self.interval,
            },
        )

    def _token(self, form: dict[str, str]) -> Reply:
        if form.get("client_id") != CLIENT_ID:
            return Reply(200, {"error": "incorrect_client_credentials"})
        if form.get("grant_type") == "urn:ietf:params:oauth:grant-type:device_code":
            return self._device_token(form.get("device_code", ""))
        if form.get("grant_type") == "refresh_token":
            if form.get("client_secret") != CLIENT_SECRET:
                return Reply(200, {"error": "incorrect_client_credentials"})
            login = self.state.refresh.pop(form.get("refresh_token", ""), None)  # a used one is dead
            return Reply(200, {"error": "bad_refresh_token"}) if login is None else self._issue_token(login)
        return Reply(200, {"error": "unsupported_grant_type"})

    def _device_token(self, device_code: str) -> Reply:
        device = self.state.devices.get(device_code)
        if device is None:
            return Reply(200, {"error": "incorrect_device_code"})
        now, last = time.time(), device.last_poll
        device.last_poll = now
        if now - last < self.interval:
            self.interval += 5
            return Reply(200, {"error": "slow_down", "interval": self.interval})
        if device.denied:
            return Reply(200, {"error": "access_denied"})
        if device.login is None:
            return Reply(200, {"error": "authorization_pending"})
        del self.state.devices[device_code]
        return self._issue_token(device.login)

    def _issue_token(self, login: str) -> Reply:
        token = "gho_" + secrets.token_hex(16)
        expires = time.time() + self.token_seconds if self.token_seconds else None
        self.state.tokens[token] = (login, expires)
        answer: dict[str, Any] = {"access_token": token, "token_type": "bearer", "scope": "repo"}
        if self.token_seconds:
            refresh = "ghr_" + secrets.token_hex(16)
            self.state.refresh[refresh] = login
            answer |= {"expires_in": self.token_seconds, "refresh_token": refresh, "refresh_token_expires_in": 15897600}
        return Reply(200, answer)

    def _revoke(self, request: Recorded) -> Reply:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return Reply(401, {"message": "Bad credentials"})
        login = self.state.tokens.get((request.body or {}).get("access_token", ""), (None, None))[0]
        if login is None:
            return Reply(404, {"message": "Not Found"})
        self.state.tokens = {t: v for t, v in self.state.tokens.items() if v[0] != login}
        return Reply(204)

    def _login(self, request: Recorded) -> str | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        found = self.state.tokens.get(token) if scheme.lower() in ("bearer", "token") else None
        if found is None or (found[1] is not None and found[1] < time.time()):
            return None
        return found[0]

    def _issues(self, login: str, query: dict[str, str]) -> Reply:
        if query.get("filter") != "assigned":
            return Reply(422, {"message": "Validation Failed"})
        found = sorted(self.state.issues.get(login, []), key=lambda issue: (issue.updated_at, issue.id))
        if query.get("since"):
            since = datetime.strptime(query["since"], "%Y-%m-%dT%H:%M:%SZ")
            found = [issue for issue in found if issue.updated_at >= since]
        if query.get("state", "open") != "all":
            found = [issue for issue in found if issue.state == query.get("state", "open")]
        per_page, page = int(query.get("per_page", "30")), int(query.get("page", "1"))
        chunk = found[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(found):
            headers["link"] = f'<{self.url}/issues?{urlencode(query | {"page": str(page + 1)})}>; rel="next"'
        return Reply(200, [issue.json() for issue in chunk], headers)

    def _issue(self, path: str) -> Reply:
        fine, limited, reset_in = self._limited
        if fine == 0 and limited > 0:
            self._limited = (0, limited - 1, reset_in)
            headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time() + reset_in))}
            return Reply(403, {"message": "API rate limit exceeded for user ID 1."}, headers)
        self._limited = (max(fine - 1, 0), limited, reset_in)
        if path in self.state.gone:
            return self.state.gone[path]
        every = [i for issues in self.state.issues.values() for i in issues] + self.state.unassigned
        found = next((issue for issue in every if self._path(issue) == path), None)
        return Reply(200, found.json()) if found else Reply(404, {"message": "Not Found"})

    def _drop(self, issue: _Issue) -> None:
        for issues in [*self.state.issues.values(), self.state.unassigned]:
            if issue in issues:
                issues.remove(issue)

    @staticmethod
    def _path(issue: _Issue) -> str:
        return f"/repos/{issue.repo}/issues/{issue.number}"

    def _now(self) -> datetime:
        """Whole seconds, as GitHub's timestamps are; each change a second later than the last."""
        stamp = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        latest = max((i.updated_at for issues in self.state.issues.values() for i in issues), default=None)
        return stamp if latest is None or stamp > latest else latest + timedelta(seconds=1)
