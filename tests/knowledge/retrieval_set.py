"""The labelled retrieval set (corpus/) and the figures it is judged by: recall@k and MRR.

The corpus is one Markdown file per document, a few `key: value` lines between `---` fences and
then the body: `docs/` written by hand, `generated/` written by corpus/generate.py (bills and
payslips that differ mainly in their figures). corpus/queries.json labels each query with the
documents that answer it and a kind: `exact` (an identifier or name), `synonym` (none of the
text's words), `question` (a natural question) or `mixed` (some words shared, some not).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

__all__ = [
    "CORPUS",
    "KINDS",
    "MODES",
    "CorpusDoc",
    "Figures",
    "LabelledQuery",
    "figures",
    "load_corpus",
    "load_queries",
    "parse_document",
    "recall_at",
    "reciprocal_rank",
    "table",
]

CORPUS = Path(__file__).parent / "corpus"
KINDS = ("exact", "synonym", "question", "mixed")
MODES = ("keyword", "vector", "hybrid")
_FIELDS = ("id", "type", "category", "title", "updated")


@dataclass(frozen=True)
class CorpusDoc:
    id: str
    type: str
    category: str
    title: str
    updated: date
    body: str


@dataclass(frozen=True)
class LabelledQuery:
    id: str
    kind: str
    text: str
    relevant: frozenset[str]


@dataclass(frozen=True)
class Figures:
    """One mode's results over a set of queries."""

    queries: int
    recall: float
    """Mean over queries of the share of their relevant documents in the top k."""
    mrr: float
    """Mean over queries of 1 / the rank of the first relevant document (0 when none is in the list)."""


def parse_document(text: str) -> CorpusDoc:
    head, _, body = text.removeprefix("---\n").partition("\n---\n")
    fields = dict(line.split(": ", 1) for line in head.splitlines())
    if sorted(fields) != sorted(_FIELDS) or not body.strip():
        raise ValueError(f"a corpus document needs exactly {_FIELDS} and a body, got {sorted(fields)}")
    updated = date.fromisoformat(fields.pop("updated"))
    return CorpusDoc(updated=updated, body=body.strip(), **fields)


def load_corpus(root: Path = CORPUS) -> list[CorpusDoc]:
    paths = sorted([*root.glob("docs/*.md"), *root.glob("generated/*.md")])
    return [parse_document(path.read_text(encoding="utf-8")) for path in paths]


def load_queries(path: Path = CORPUS / "queries.json") -> list[LabelledQuery]:
    rows = json.loads(path.read_text(encoding="utf-8"))["queries"]
    return [LabelledQuery(r["id"], r["kind"], r["text"], frozenset(r["relevant"])) for r in rows]


def recall_at(ranked: Sequence[str], relevant: frozenset[str], k: int = 10) -> float:
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def reciprocal_rank(ranked: Sequence[str], relevant: frozenset[str]) -> float:
    return next((1.0 / rank for rank, doc_id in enumerate(ranked, start=1) if doc_id in relevant), 0.0)


def figures(queries: Iterable[LabelledQuery], ranked: Mapping[str, Sequence[str]], k: int = 10) -> Figures:
    """`ranked` maps each query's id to the document ids one mode returned for it, best first."""
    chosen = list(queries)
    if not chosen:
        raise ValueError("no queries to judge")
    recalls = [recall_at(ranked[q.id], q.relevant, k) for q in chosen]
    ranks = [reciprocal_rank(ranked[q.id][:k], q.relevant) for q in chosen]
    return Figures(queries=len(chosen), recall=sum(recalls) / len(chosen), mrr=sum(ranks) / len(chosen))


def table(report: Mapping[str, Mapping[str, Figures]]) -> str:
    """`report[group][mode]` as rows of recall@10 and MRR per mode; group "all" first, then each kind."""
    header = f"{'queries':<12}{'n':>4}" + "".join(f"{mode + ' R@10':>15}{mode + ' MRR':>14}" for mode in MODES)
    lines = [header, "-" * len(header)]
    for group, by_mode in report.items():
        row = f"{group:<12}{by_mode[MODES[0]].queries:>4}"
        lines.append(row + "".join(f"{by_mode[m].recall:>15.3f}{by_mode[m].mrr:>14.3f}" for m in MODES))
    return "\n".join(lines)
