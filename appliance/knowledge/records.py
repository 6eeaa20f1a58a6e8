"""What the index holds and what a search returns: the shapes every capability shares.

A capability (notes, documents, and later tasks, events, messages, contacts, transactions) hands
the index an `Indexable` whenever one of its records is written, and names it again to forget it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

__all__ = ["Indexable", "SearchQuery", "SearchHit", "SearchResults", "Mode", "HOUSEHOLD"]

HOUSEHOLD = "*"  # the audience of a record shared with the whole household
Mode = Literal["hybrid", "keyword", "vector"]
RecordType = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z_]{0,31}$")]


class Indexable(msgspec.Struct, frozen=True, kw_only=True):
    """One record as the index sees it: who may find it, what it is called, what it says."""

    type: RecordType
    id: str
    owner_id: str
    shared: bool
    source: str
    title: str
    text: str
    updated_at: datetime

    @property
    def audience(self) -> str:
        return HOUSEHOLD if self.shared else self.owner_id


class SearchQuery(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    mine_only: bool = False
    """Only what the viewer made, private or shared (the same as `owner` = the viewer)."""
    owner: str | None = None
    """Only what this owner made: a member's id or "household"; never widens what the viewer may see."""
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 10
    mode: Mode = "hybrid"

    def owner_for(self, viewer: str) -> str | None:
        """The owner results must have, if the query names one ("only mine" names the viewer)."""
        return viewer if self.mine_only else self.owner


class SearchHit(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    type: str
    title: str
    snippet: str
    """HTML-escaped text of the best passage, query words wrapped in <mark>."""
    score: float
    source: str
    shared: bool
    updated_at: datetime
    url: str | None = None
    """Where to open it, for a record brought in from elsewhere (`connected`): http(s) only, else none."""


class SearchResults(msgspec.Struct, frozen=True, kw_only=True):
    results: list[SearchHit]
    facets: dict[str, dict[str, int]]
    """Counts of matching records by `type` and by `source`, for narrowing the search."""
    meaning: str
    """"ready", or why search by meaning is not (yet) part of these results."""
    indexing: int = 0
    """Records matching the filters whose meaning is still being computed: until then found by keyword only."""
