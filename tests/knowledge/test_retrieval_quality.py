"""Retrieval quality on a household's corpus: the labelled set in corpus/ is indexed into a real
Knowledge index (FTS5, sqlite-vec, the real all-MiniLM-L6-v2) and every query is run by keyword,
by meaning and by both fused. Hybrid must be at least as good as either alone, on recall@10 and
on MRR, and every mode well above chance (about 10 in 330 for recall@10).

`pytest -s` prints the table; the figures also go to test-artifacts/retrieval.json.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import msgspec
import pytest

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache
from appliance.knowledge import EMBEDDING_MODEL, Indexable, Knowledge, SearchQuery, open_knowledge
from appliance.settings import Settings, load_settings
from tests.knowledge.retrieval_set import (
    KINDS,
    MODES,
    CorpusDoc,
    Figures,
    LabelledQuery,
    figures,
    load_corpus,
    load_queries,
    table,
)

pytestmark = pytest.mark.timeout(1200)  # ~330 documents embedded on two cores, then 3 x ~80 searches

ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "retrieval.json"
MEMBER = "u1"
Rankings = dict[str, dict[str, list[str]]]  # mode → query id → document ids, best first


def _indexable(doc: CorpusDoc) -> Indexable:
    updated = datetime.combine(doc.updated, datetime.min.time())
    return Indexable(
        type=doc.type,
        id=doc.id,
        owner_id=MEMBER,
        shared=True,
        source="upload",
        title=doc.title,
        text=doc.body,
        updated_at=updated,
    )


async def _rank_all(knowledge: Knowledge, corpus: list[CorpusDoc], queries: list[LabelledQuery]) -> Rankings:
    for doc in corpus:
        await knowledge.index(_indexable(doc))
    assert await knowledge.wait_until_embedded(timeout=900), "the corpus was not embedded in time"
    rankings: Rankings = {mode: {} for mode in MODES}
    for query in queries:
        for mode in MODES:
            found = await knowledge.search(MEMBER, SearchQuery(text=query.text, limit=10, mode=mode))
            assert found.meaning == "ready", f"{mode} search for {query.text!r}: {found.meaning}"
            rankings[mode][query.id] = [hit.id for hit in found.results]
    return rankings


def _settings(tmp: Path) -> Settings:
    return load_settings(environ={}, data_dir=tmp / "data", log={"format": "text"})


@pytest.fixture(scope="module")
def queries() -> list[LabelledQuery]:
    return load_queries()


@pytest.fixture(scope="module")
def rankings(tmp_path_factory: pytest.TempPathFactory, queries: list[LabelledQuery]) -> Iterator[Rankings]:
    settings = _settings(tmp_path_factory.mktemp("retrieval"))
    install_model(settings.data_dir, load_manifest().get(EMBEDDING_MODEL), model_cache())
    knowledge = open_knowledge(settings)
    try:
        yield asyncio.run(_rank_all(knowledge, load_corpus(), queries))
    finally:
        knowledge.close()


@pytest.fixture(scope="module")
def report(rankings: Rankings, queries: list[LabelledQuery]) -> dict[str, dict[str, Figures]]:
    """Figures per group of queries ("all", then each kind) and per mode, printed and saved."""
    groups = {"all": queries} | {kind: [q for q in queries if q.kind == kind] for kind in KINDS}
    result = {group: {mode: figures(chosen, rankings[mode]) for mode in MODES} for group, chosen in groups.items()}
    print("\n" + table(result))
    misses = {
        mode: sorted(q.id for q in queries if not q.relevant.intersection(rankings[mode][q.id])) for mode in MODES
    }
    ARTIFACT.parent.mkdir(exist_ok=True)
    saved = {"figures": result, "missed": misses, "rankings": rankings}
    ARTIFACT.write_bytes(msgspec.json.format(msgspec.json.encode(saved)))
    return result


def test_every_mode_finds_most_answers(report: dict[str, dict[str, Figures]]) -> None:
    for mode in MODES:
        overall = report["all"][mode]
        assert overall.recall >= 0.5, f"{mode}: recall@10 {overall.recall:.3f}"
        assert overall.mrr >= 0.35, f"{mode}: MRR {overall.mrr:.3f}"


def test_hybrid_is_no_worse_than_keyword_or_meaning_alone(report: dict[str, dict[str, Figures]]) -> None:
    hybrid, keyword, vector = (report["all"][mode] for mode in ("hybrid", "keyword", "vector"))
    assert hybrid.recall >= max(keyword.recall, vector.recall), report["all"]
    assert hybrid.mrr >= max(keyword.mrr, vector.mrr), report["all"]


def test_the_figures_are_saved_for_the_record(report: dict[str, dict[str, Figures]]) -> None:
    saved = json.loads(ARTIFACT.read_text())
    assert saved["figures"]["all"]["hybrid"]["recall"] == report["all"]["hybrid"].recall
    assert set(saved["figures"]) == {"all", *KINDS}
