"""The ONNX graph against the oracle: a plain numpy BERT forward of the same weights
(tests/knowledge/embeddings_numpy.py); the graph kept in the model's folder and rebuilt when it
must be; int8 against fp32; the batch planner."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import numpy as np
import pytest

from appliance.knowledge.embeddings import Embedder, open_embedder
from appliance.knowledge.embeddings.batches import pad, plan_batches
from tests.knowledge.embeddings_model import PARAPHRASES, install_minilm, model_folder, shared_data
from tests.knowledge.embeddings_numpy import NumpyBert

SENTENCES = [text for pair in PARAPHRASES for text in pair] + [
    "Ok.",
    "Remember that the recycling goes out on Thursday evenings, and the glass only every other week, "
    "so check the calendar on the fridge before carrying the heavy box down the stairs.",
    " ".join(["The council writes that the road outside will be resurfaced in the spring."] * 30),  # > 256 tokens
]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_data(tmp_path_factory)


@pytest.fixture(scope="module")
def oracle(data: Path) -> NumpyBert:
    return NumpyBert(model_folder(data))


@pytest.fixture(scope="module")
def fp32(data: Path) -> Embedder:
    return open_embedder(data, threads=1, quantization="fp32")


@pytest.fixture(scope="module")
def int8(data: Path) -> Embedder:
    return open_embedder(data, threads=1, quantization="int8")


def test_the_fp32_graph_computes_what_the_numpy_forward_pass_computes(fp32: Embedder, oracle: NumpyBert) -> None:
    expected = oracle.embed(SENTENCES)  # one at a time, unpadded
    got = fp32.embed(SENTENCES)  # in padded batches of similar length
    assert got.dtype == np.float32 and got.shape == (len(SENTENCES), 384)
    assert np.abs(got - expected).max() < 1e-5


def test_int8_agrees_with_fp32_on_real_sentences(fp32: Embedder, int8: Embedder) -> None:
    agreement = np.sum(fp32.embed(SENTENCES) * int8.embed(SENTENCES), axis=1)
    assert agreement.min() > 0.97 and agreement.mean() > 0.985, agreement


def test_the_graph_is_kept_beside_the_weights_with_what_it_was_built_from(data: Path, fp32: Embedder) -> None:
    folder = model_folder(data)
    graph = folder / "model.onnx"
    record = json.loads((folder / "model.onnx.json").read_text())
    assert record["quantization"] == "fp32" and len(record["source_sha256"]) == 64
    built = graph.stat().st_mtime_ns
    again = open_embedder(data, threads=1, quantization="fp32")
    assert graph.stat().st_mtime_ns == built  # not built a second time
    assert again.model_id == fp32.model_id and "fp32" in fp32.model_id


def test_a_graph_from_other_weights_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = install_minilm(tmp_path / "data")
    before = open_embedder(data, threads=1, quantization="fp32").embed(SENTENCES[:2])
    record = model_folder(data) / "model.onnx.json"
    record.write_text(record.read_text().replace('"source_sha256":"', '"source_sha256":"0'))  # as if weights changed
    with caplog.at_level(logging.INFO, logger="appliance.knowledge.embeddings"):
        after = open_embedder(data, threads=1, quantization="fp32").embed(SENTENCES[:2])
    assert [r for r in caplog.records if "building the fp32" in r.getMessage()]
    assert np.allclose(before, after, atol=1e-6)
    assert '"source_sha256":"0' not in record.read_text()


def test_a_damaged_graph_is_rebuilt_rather_than_failing(tmp_path: Path, oracle: NumpyBert) -> None:
    data = install_minilm(tmp_path / "data")
    open_embedder(data, threads=1, quantization="fp32")
    graph = model_folder(data) / "model.onnx"
    graph.write_bytes(graph.read_bytes()[:100_000])  # cut short; its record still says it is current
    vectors = open_embedder(data, threads=1, quantization="fp32").embed(SENTENCES[:3])
    assert np.abs(vectors - oracle.embed(SENTENCES[:3])).max() < 1e-5
    assert graph.stat().st_size > 50_000_000


def test_two_threads_opening_a_new_model_build_its_graph_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = install_minilm(tmp_path / "data")
    opened: list[Embedder] = []
    with caplog.at_level(logging.INFO, logger="appliance.knowledge.embeddings"):
        threads = [threading.Thread(target=lambda: opened.append(open_embedder(data, 1, "int8"))) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert len(opened) == 2
    assert len([r for r in caplog.records if "building the int8" in r.getMessage()]) == 1
    assert np.array_equal(opened[0].embed(SENTENCES[:2]), opened[1].embed(SENTENCES[:2]))
    assert not [p.name for p in model_folder(data).iterdir() if p.name.startswith(".graph-")]  # no scratch left


def test_batches_group_similar_lengths_within_the_budget() -> None:
    lengths = [200, 5, 7, 120, 6, 300, 118, 9]
    batches = plan_batches(lengths, token_budget=256, max_batch=3)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert [[lengths[i] for i in b] for b in batches] == [[5, 6, 7], [9, 118], [120], [200], [300]]
    for batch in batches:
        longest = max(lengths[i] for i in batch)
        assert len(batch) == 1 or len(batch) * longest <= 256
    assert plan_batches([]) == []
    assert plan_batches([4, 4, 4], max_batch=1) == [[0], [1], [2]]


def test_padding_fills_with_zeros_and_masks_them_out() -> None:
    ids, mask = pad([[101, 7, 102], [101, 102]])
    assert ids.tolist() == [[101, 7, 102], [101, 102, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 1, 0]]
    assert ids.dtype == mask.dtype == np.int64
