"""What a tool gets to work with, and what it answers.

The edge (HTTP, voice) builds a `ToolContext` for each request: who is asking, from where, at
what time, and the services the tools call. Tools never import an edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

import msgspec

from appliance.accounts.shapes import Principal
from appliance.ai.gateway import AIGateway
from appliance.events import EventBus
from appliance.knowledge import Knowledge
from appliance.settings import Settings
from appliance.storage import Database

__all__ = ["Services", "ToolContext", "ToolReply"]


@dataclass(frozen=True)
class Services:
    """The parts of Atom tools act through (one set per server process)."""

    settings: Settings
    db: Database
    bus: EventBus
    knowledge: Knowledge
    ai: AIGateway
    extras: dict[str, Any] = field(default_factory=dict)  # e.g. "timers": the server's timer board


@dataclass(frozen=True)
class ToolContext:
    services: Services
    principal: Principal
    now: datetime  # aware, in `zone`
    zone: tzinfo
    room: str | None = None  # the satellite's room when the command was spoken
    conversation_id: str | None = None

    @property
    def user_id(self) -> str:
        return self.principal.user_id


class ToolReply(msgspec.Struct, frozen=True, kw_only=True):
    """What the tool did, in words for the member, and where to see it."""

    text: str
    link: str | None = None
    data: Any = None
