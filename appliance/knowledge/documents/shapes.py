"""A document as the API shows it, and the change its uploader may make to it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

__all__ = ["Document", "DocumentUpdate"]

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]


class Document(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    owner_id: str
    title: str
    filename: str
    media_type: str
    size: int
    sha256: str
    shared: bool
    created_at: datetime
    updated_at: datetime


class DocumentUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Either or both: a new title (not blank), whether the household may read it."""

    title: Title | None = None
    shared: bool | None = None
