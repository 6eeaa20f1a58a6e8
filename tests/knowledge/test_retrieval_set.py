"""The labelled retrieval set holds what the quality test relies on (enough documents, of the right
lengths, labels that point at real documents and say the right thing), and its figures are right."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tests.knowledge.corpus.generate import write_all
from tests.knowledge.retrieval_set import (
    CORPUS,
    KINDS,
    MODES,
    CorpusDoc,
    Figures,
    LabelledQuery,
    figures,
    load_corpus,
    load_queries,
    parse_document,
    recall_at,
    reciprocal_rank,
    table,
)

CORPUS_DOCS = load_corpus()
BY_ID = {doc.id: doc for doc in CORPUS_DOCS}
QUERIES = load_queries()


def _words(doc: CorpusDoc) -> int:
    return len(doc.body.split())


def test_the_corpus_is_large_varied_and_named_by_its_files() -> None:
    assert len(CORPUS_DOCS) >= 320
    assert len(BY_ID) == len(CORPUS_DOCS)
    files = sorted(path.stem for path in [*CORPUS.glob("docs/*.md"), *CORPUS.glob("generated/*.md")])
    assert files == sorted(BY_ID)
    assert {doc.type for doc in CORPUS_DOCS} == {"note", "document"}
    categories = Counter(doc.category for doc in CORPUS_DOCS)
    wanted = {"recipe", "manual", "school", "bill", "medical", "travel", "garden", "car", "insurance", "pet"}
    assert wanted <= set(categories) and min(categories[c] for c in wanted) >= 8, categories


def test_most_documents_are_written_by_hand_at_a_realistic_length() -> None:
    written = [path.stem for path in CORPUS.glob("docs/*.md")]
    assert len(written) > len(CORPUS_DOCS) * 0.75
    lengths = [_words(doc) for doc in CORPUS_DOCS]
    assert min(lengths) >= 60 and max(lengths) <= 1200
    assert sum(600 <= n for n in lengths) >= 8  # long enough that chunking matters


def test_the_generated_documents_are_what_the_generator_writes(tmp_path: Path) -> None:
    write_all(tmp_path)
    fresh = {path.name: path.read_text(encoding="utf-8") for path in tmp_path.glob("*.md")}
    committed = {path.name: path.read_text(encoding="utf-8") for path in CORPUS.glob("generated/*.md")}
    assert fresh == committed, "run python tests/knowledge/corpus/generate.py and commit its output"


def test_queries_are_many_of_every_kind_and_point_at_real_documents() -> None:
    assert len(QUERIES) >= 60
    assert len({q.id for q in QUERIES}) == len({q.text.lower() for q in QUERIES}) == len(QUERIES)
    kinds = Counter(q.kind for q in QUERIES)
    assert set(kinds) == set(KINDS) and min(kinds.values()) >= 10, kinds
    for query in QUERIES:
        assert 1 <= len(query.relevant) <= 3, query
        assert query.relevant <= set(BY_ID), query


def _names(text: str) -> list[str]:
    """The identifiers and proper names in a query: words with a digit or a capital, of 3+ characters."""
    return [w.lower() for w in re.findall(r"[\w-]+", text) if len(w) >= 3 and (w[0].isupper() or re.search(r"\d", w))]


def test_an_exact_query_names_what_its_documents_say_verbatim() -> None:
    for query in (q for q in QUERIES if q.kind == "exact"):
        assert _names(query.text), query.text
        for doc_id in query.relevant:
            text = f"{BY_ID[doc_id].title}\n{BY_ID[doc_id].body}".lower()
            assert all(name in text for name in _names(query.text)), (query.text, doc_id)


def test_near_duplicates_are_there_on_purpose() -> None:
    electricity = [doc for doc in CORPUS_DOCS if doc.id.startswith("bill-electricity-")]
    assert len(electricity) >= 3
    assert {"recipe-lasagne-beef", "recipe-lasagne-vegetarian", "recipe-shepherds-pie", "recipe-cottage-pie"} <= set(
        BY_ID
    )
    assert {"school-trip-natural-history-museum", "school-trip-residential-kingswood"} <= set(BY_ID)
    dishwasher, washer = BY_ID["manual-dishwasher-bosch"].body, BY_ID["manual-washing-machine"].body
    codes = re.compile(r"\bE\d\d\b")
    assert codes.search(dishwasher) and codes.search(washer) and "drain" in dishwasher and "drain" in washer


def test_a_document_needs_its_fields_and_a_body() -> None:
    doc = parse_document("---\nid: a\ntype: note\ncategory: pet\ntitle: T: x\nupdated: 2024-01-02\n---\nBody\n")
    assert (doc.id, doc.title, doc.updated.isoformat(), doc.body) == ("a", "T: x", "2024-01-02", "Body")
    with pytest.raises(ValueError, match="needs exactly"):
        parse_document("---\nid: a\ntype: note\ntitle: T\nupdated: 2024-01-02\n---\nBody\n")
    with pytest.raises(ValueError, match="needs exactly"):
        parse_document("---\nid: a\ntype: note\ncategory: pet\ntitle: T\nupdated: 2024-01-02\n---\n\n")


# --- the figures -----------------------------------------------------------------------------------


def test_recall_counts_the_relevant_documents_in_the_top_k() -> None:
    relevant = frozenset({"a", "b"})
    assert recall_at(["x", "a", "y", "b"], relevant, k=10) == 1.0
    assert recall_at(["x", "a", "y", "b"], relevant, k=3) == 0.5
    assert recall_at([], relevant) == 0.0


def test_reciprocal_rank_is_that_of_the_first_relevant_document() -> None:
    assert reciprocal_rank(["a", "b"], frozenset({"a"})) == 1.0
    assert reciprocal_rank(["x", "y", "b", "a"], frozenset({"a", "b"})) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x"], frozenset({"a"})) == 0.0


def _word_overlap(docs: dict[str, str], text: str) -> list[str]:
    """A stand-in ranking for the figures: documents sharing more of the query's words first."""
    wanted = set(text.lower().split())
    scored = [(len(wanted & set(body.lower().split())), doc_id) for doc_id, body in docs.items()]
    return [doc_id for score, doc_id in sorted(scored, key=lambda s: (-s[0], s[1])) if score]


def test_figures_average_over_queries_and_stop_at_k() -> None:
    docs = {"d1": "dishwasher error E24 drain", "d2": "washing machine drain pump", "d3": "beef lasagne recipe"}
    queries = [
        LabelledQuery("q1", "exact", "E24", frozenset({"d1"})),  # first: 1
        LabelledQuery("q2", "mixed", "drain pump", frozenset({"d1"})),  # second: 1/2
        LabelledQuery("q3", "synonym", "meat pasta bake", frozenset({"d3"})),  # not found: 0
    ]
    ranked = {q.id: _word_overlap(docs, q.text) for q in queries}
    assert ranked == {"q1": ["d1"], "q2": ["d2", "d1"], "q3": []}
    assert figures(queries, ranked) == Figures(queries=3, recall=pytest.approx(2 / 3), mrr=pytest.approx(0.5))
    assert figures(queries, ranked, k=1).recall == pytest.approx(1 / 3)  # q2's answer is second
    with pytest.raises(ValueError, match="no queries"):
        figures([], ranked)


def test_the_table_has_a_row_per_group_and_both_figures_per_mode() -> None:
    report = {"all": {mode: Figures(4, 0.75, 0.5) for mode in MODES}, "exact": {m: Figures(1, 1, 1) for m in MODES}}
    lines = table(report).splitlines()
    assert [line.split()[0] for line in lines[2:]] == ["all", "exact"]
    assert lines[2].split()[1:] == ["4"] + ["0.750", "0.500"] * 3
    assert all(f"{mode} R@10" in lines[0] and f"{mode} MRR" in lines[0] for mode in MODES)
