"""Fusing the keyword and meaning rankings: reciprocal rank fusion over records.

Each ranking lists records best first; a record's fused score is the sum over rankings of
1 / (K + rank). K = 60 is the value of the original RRF paper, which damps the difference between
first and second place so that agreement between the two rankings counts most. A query that names
something exactly (an account number, an error code) weighs the keyword ranking double: meaning
has no notion of "PP-7734" and would otherwise outvote the one passage that holds it.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["fuse", "RRF_K"]

RRF_K = 60
Key = tuple[str, str]  # (record type, record id)


def fuse(rankings: Sequence[Sequence[Key]], weights: Sequence[float] | None = None) -> list[tuple[Key, float]]:
    """Records by fused score, best first; ties keep the order of the first ranking that had them."""
    scores: dict[Key, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (RRF_K + rank)
    return sorted(scores.items(), key=lambda item: -item[1])
