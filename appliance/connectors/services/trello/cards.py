"""Trello cards the member is on, as their tasks in Atom (done: marked complete or archived)."""

from __future__ import annotations

from appliance.connectors.base import RemoteTask
from appliance.connectors.services.trello.api import Card

__all__ = ["as_task"]


def as_task(card: Card) -> RemoteTask:
    url = card.shortUrl or f"https://trello.com/c/{card.id}"
    notes = f"{card.desc.strip()}\n\nTrello: {url}" if card.desc.strip() else f"Trello: {url}"
    return RemoteTask(
        remote_id=card.id,
        title=card.name or "(untitled)",
        notes=notes,
        url=url,
        done=card.dueComplete or card.closed,
        due_date=card.due.date() if card.due else None,
    )
