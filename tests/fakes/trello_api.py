"""A loopback Trello REST API 1: the key and token in the `Authorization: OAuth
oauth_consumer_key="…", oauth_token="…"` header, `GET /1/members/me`, `GET /1/members/me/cards`
(`filter` all/open/closed, `fields`) and `PUT /1/cards/{id}`. Failures as Trello sends them:
401 with a plain-text `invalid key` / `invalid token`, 404 `The requested resource was not found.`,
429 with a JSON `API_TOKEN_LIMIT_EXCEEDED` error.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from tests.fakes.loopback import Recorded, Reply
from tests.fakes.service import ServiceFake

__all__ = ["FakeTrello", "KEY", "TOKEN", "RATE_LIMITED"]

KEY = "3f0b0e5b7cd4d2d5e1f3a1b2c3d4e5f6"
TOKEN = "ATTA9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a493827160f5e4d3c2b1a01234ABCD"
RATE_LIMITED = {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
_HEADER = re.compile(r'^OAuth oauth_consumer_key="([^"]*)", oauth_token="([^"]*)"$')


@dataclass
class _Card:
    id: str
    name: str
    desc: str = ""
    due: str | None = None
    dueComplete: bool = False  # noqa: N815 - Trello's name
    closed: bool = False
    member: bool = True

    def json(self, fields: list[str]) -> dict[str, Any]:
        full = {
            "id": self.id,
            "name": self.name,
            "desc": self.desc,
            "due": self.due,
            "dueComplete": self.dueComplete,
            "closed": self.closed,
            "shortUrl": f"https://trello.com/c/{self.id[-8:]}",
            "dateLastActivity": "2026-11-29T10:00:00.000Z",
            "idList": "5f0e0c0a0b0c0d0e0f000111",
        }
        return {key: value for key, value in full.items() if key == "id" or key in fields}


class FakeTrello(ServiceFake):
    connector = "trello"

    def __init__(self) -> None:
        super().__init__()
        self.tokens = {TOKEN}
        self.cards: dict[str, _Card] = {}

    def add(self, name: str, **fields: Any) -> _Card:
        card = _Card("5f" + secrets.token_hex(11), name, **fields)
        self.cards[card.id] = card
        return card

    def route(self, request: Recorded) -> Reply:
        found = _HEADER.match(request.headers.get("authorization", ""))
        if found is None or found.group(1) != KEY:
            return Reply(401, b"invalid key")
        if found.group(2) not in self.tokens:
            return Reply(401, b"invalid token")
        if request.method == "GET" and request.path == "/1/members/me":
            return Reply(200, {"id": "5a1b2c3d4e5f", "username": "adalovelace", "fullName": "Ada Lovelace"})
        if request.method == "GET" and request.path == "/1/members/me/cards":
            return self._cards(request.query)
        if request.method == "PUT" and request.path.startswith("/1/cards/"):
            return self._update(request.path.rsplit("/", 1)[1], request.body or {})
        return Reply(404, b"The requested resource was not found.")

    def _cards(self, query: dict[str, str]) -> Reply:
        fields = query.get("fields", "all").split(",")
        which = query.get("filter", "visible")
        mine = [c for c in self.cards.values() if c.member and (which == "all" or c.closed == (which == "closed"))]
        everything = ["name", "desc", "due", "dueComplete", "closed", "shortUrl", "dateLastActivity", "idList"]
        return Reply(200, [c.json(everything if fields == ["all"] else fields) for c in mine])

    def _update(self, card_id: str, body: dict[str, Any]) -> Reply:
        card = self.cards.get(card_id)
        if card is None:
            return Reply(404, b"The requested resource was not found.")
        if "dueComplete" in body:
            card.dueComplete = bool(body["dueComplete"])
        return Reply(200, card.json(["name", "dueComplete"]))
