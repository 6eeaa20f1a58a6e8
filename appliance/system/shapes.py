"""Shapes of the system area."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

__all__ = ["Component", "SystemStatus", "JobRun", "JobRunReport", "Heartbeat", "Housekeeping", "BackupOrder"]

JobState = Literal["queued", "running", "succeeded", "failed"]


class Component(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    ok: bool
    summary: str
    details: dict[str, str | int | float | bool | None] = {}


class SystemStatus(msgspec.Struct, frozen=True, kw_only=True):
    ok: bool
    version: str
    components: list[Component]


class JobRun(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    state: JobState
    detail: str
    queued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None


class JobRunReport(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    state: JobState
    detail: Annotated[str, msgspec.Meta(max_length=500)] = ""


class Heartbeat(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    worker: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class Housekeeping(msgspec.Struct, frozen=True, kw_only=True):
    expired_sessions: int
    old_job_runs: int


class BackupOrder(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`atom backup` through the server: sealed with a passphrase, to a given age public key, or
    (neither) to the household key."""

    passphrase: Annotated[str, msgspec.Meta(min_length=8, max_length=1024)] | None = None
    recipient: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    """An age public key (age1…): `atom upgrade` seals its backup to a key pair only it holds, so the
    archive is streamed, never built in memory as a passphrase one is."""
    one_time: bool = False
    """An upgrade's own backup, deleted once the new release answers: it neither prunes the
    household's backups nor counts toward `backup.keep`."""

    def __repr__(self) -> str:
        return "BackupOrder(…)"
