"""Todoist's Sync API (v9) as Atom speaks it: the one place its JSON becomes typed values.

One endpoint, `POST /sync/v9/sync`, form-encoded: `sync_token` ("*" for everything) and
`resource_types` pull what changed since the token; `commands` write (each with a uuid,
answered in `sync_status`).
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any, TypeVar

import msgspec

from appliance.connectors.http import ServiceHttp
from appliance.errors import ServiceFailed, SignInNeeded

__all__ = ["Item", "Changes", "who", "changes", "close_items"]

T = TypeVar("T")
_SYNC = "api:/sync/v9/sync"


class Due(msgspec.Struct, frozen=True):
    date: str


class Item(msgspec.Struct, frozen=True):
    id: str
    content: str = ""
    description: str = ""
    checked: bool = False
    is_deleted: bool = False
    due: Due | None = None

    @property
    def due_date(self) -> date | None:
        try:
            return date.fromisoformat(self.due.date[:10]) if self.due else None
        except ValueError:
            return None


class Changes(msgspec.Struct, frozen=True):
    sync_token: str
    full_sync: bool = False
    items: list[Item] = []


class _User(msgspec.Struct, frozen=True):
    full_name: str = ""
    email: str = ""


class _UserAnswer(msgspec.Struct, frozen=True):
    user: _User


async def who(http: ServiceHttp) -> str:
    user = _typed(await _sync(http, {"sync_token": "*", "resource_types": '["user"]'}), _UserAnswer).user
    return user.email or user.full_name or "Todoist"


async def changes(http: ServiceHttp, sync_token: str) -> Changes:
    return _typed(await _sync(http, {"sync_token": sync_token, "resource_types": '["items"]'}), Changes)


async def close_items(http: ServiceHttp, item_ids: list[str]) -> list[str]:
    """Complete these tasks in Todoist; the ids it accepted."""
    commands = {str(uuid.uuid4()): item_id for item_id in item_ids}
    body = [{"type": "item_close", "uuid": key, "args": {"id": item_id}} for key, item_id in commands.items()]
    answer = await _sync(http, {"commands": json.dumps(body)})
    status = answer.get("sync_status", {}) if isinstance(answer, dict) else {}
    return [item_id for key, item_id in commands.items() if status.get(key) == "ok"]


async def _sync(http: ServiceHttp, form: dict[str, str]) -> Any:
    response = await http.request("POST", _SYNC, data=form)
    if response.status_code in (401, 403):
        raise SignInNeeded("Todoist no longer accepts the API token")
    if response.status_code != 200:
        raise ServiceFailed(f"Todoist answered {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise ServiceFailed("Todoist answered with something that is not JSON") from None


def _typed(body: object, kind: type[T]) -> T:
    try:
        return msgspec.convert(body, kind, strict=False)
    except msgspec.ValidationError:
        raise ServiceFailed("Todoist answered in a shape Atom does not know") from None
