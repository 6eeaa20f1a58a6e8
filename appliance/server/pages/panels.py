"""Dashboard panels: one per capability, each a template, the topics that refresh it, and a loader.

A capability adds its panel to `PANELS` when it lands; the dashboard and the
live refresh pick it up from here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from appliance.accounts import sessions, tokens, users
from appliance.accounts.shapes import Principal
from appliance.events import Topic
from appliance.runtime import Runtime
from appliance.server.pages.system import load_status
from appliance.server.pages.usage import load_usage

__all__ = ["Panel", "PANELS", "panel_named"]

Loader = Callable[[Runtime, Principal], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Panel:
    name: str
    title: str
    topics: tuple[Topic, ...]
    load: Loader

    @property
    def template(self) -> str:
        return f"panels/{self.name}.html"

    @property
    def fragment_url(self) -> str:
        return f"/fragments/panels/{self.name}"


async def _household(runtime: Runtime, _: Principal) -> dict[str, Any]:
    return {"members": await users.list_users(runtime.db)}


async def _access(runtime: Runtime, me: Principal) -> dict[str, Any]:
    return {
        "tokens": await tokens.list_tokens(runtime.db, me.user_id),
        "sessions": await sessions.list_sessions(runtime.db, me),
    }


async def _system(runtime: Runtime, _: Principal) -> dict[str, Any]:
    return {"status": await load_status(runtime)}


async def _knowledge(_: Runtime, __: Principal) -> dict[str, Any]:
    return {}  # a search box and links: nothing to load, nothing to go stale while someone types


async def _ai_month(runtime: Runtime, me: Principal) -> dict[str, Any]:
    return {"usage": await load_usage(runtime.db, me)}


PANELS: tuple[Panel, ...] = (
    Panel("household", "Household", ("members",), _household),
    Panel("knowledge", "Notes and documents", (), _knowledge),
    Panel("ai", "AI this month", ("ai-usage", "ai-preferences"), _ai_month),  # every ledger entry; a new budget
    Panel("access", "Your sign-ins and tokens", ("tokens", "sessions"), _access),
    Panel("system", "System health", (), _system),
)


def panel_named(name: str) -> Panel | None:
    return next((panel for panel in PANELS if panel.name == name), None)
