"""Embeddings as the knowledge index sees them, from the real all-MiniLM-L6-v2: meaning, batching,
awkward and hostile text, threads, and a missing or damaged model."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from appliance.errors import ConfigError, ModelMissing
from appliance.knowledge.embeddings import QUANTIZATIONS, Embedder, embed_thread_count, open_embedder
from appliance.settings import load_settings
from tests.knowledge.embeddings_model import MODEL, PARAPHRASES, install_minilm, model_folder, shared_data


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_data(tmp_path_factory)


@pytest.fixture(scope="module", params=QUANTIZATIONS)
def embedder(request: pytest.FixtureRequest, data: Path) -> Embedder:
    return open_embedder(data, threads=1, quantization=request.param)


def _unit(vectors: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(vectors)) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5))


def test_paraphrases_score_far_above_unrelated_sentences(embedder: Embedder) -> None:
    first = embedder.embed([a for a, _ in PARAPHRASES])
    second = embedder.embed([b for _, b in PARAPHRASES])
    similarity = first @ second.T
    same = np.diag(similarity)
    unrelated = similarity[~np.eye(len(PARAPHRASES), dtype=bool)]
    assert same.min() > unrelated.max() + 0.2, (same, unrelated.max())
    assert same.mean() > 0.6 and unrelated.max() < 0.35


def test_vectors_have_the_promised_shape(embedder: Embedder) -> None:
    vectors = embedder.embed([a for a, _ in PARAPHRASES])
    assert embedder.dims == 384
    assert vectors.dtype == np.float32 and vectors.shape == (len(PARAPHRASES), 384)
    assert _unit(vectors)
    assert embedder.max_tokens == 254  # 256 (sentence-transformers' limit for this model) less [CLS] and [SEP]


def test_a_text_gets_the_same_vector_alone_or_batched_with_any_others(embedder: Embedder) -> None:
    text = "The boiler service is booked for Tuesday morning."
    others = ["Ok.", "Short one.", " ".join(["A longer note about the garden shed and its leaking roof."] * 6)]
    alone = embedder.embed([text])[0]
    mixed = embedder.embed([*others, text, *reversed(others), "word " * 400])
    assert np.abs(mixed[3] - alone).max() < 1e-6
    assert np.abs(mixed[0] - mixed[6]).max() < 1e-6  # rows come back in the order asked, whatever the batching


def test_nothing_to_embed_and_empty_texts(embedder: Embedder) -> None:
    none = embedder.embed([])
    assert none.shape == (0, embedder.dims) and none.dtype == np.float32
    blank = embedder.embed(["", "   ", "\n\t"])
    assert _unit(blank) and np.allclose(blank[0], blank[1]) and np.allclose(blank[0], blank[2])
    assert embedder.count_tokens("") == 0 and embedder.count_tokens("hello world") == 2


def test_a_long_text_is_cut_at_the_models_limit_and_counted_whole(embedder: Embedder) -> None:
    sentence = "The landlord will replace the kitchen window frames in the first week of May."
    long = " ".join([sentence] * 60)
    assert embedder.count_tokens(long) == 60 * embedder.count_tokens(sentence) > 3 * embedder.max_tokens
    vectors = embedder.embed([long, long + " But nobody will ever read this sentence about cheese."])
    assert _unit(vectors)
    assert np.abs(vectors[0] - vectors[1]).max() < 1e-6  # only the first max_tokens tokens count


def test_hostile_text_is_embedded_not_refused(embedder: Embedder) -> None:
    texts = [
        "lone surrogate \ud800 inside",  # what a JSON body may carry; the tokenizer refuses it raw
        "nul \x00 and controls \x07\x1b[31m",
        "🙂" * 500,
        "x" * 1_000_000,  # one enormous 'word'
        "<script>alert(1)</script> ' OR 1=1 --",
    ]
    assert _unit(embedder.embed(texts))
    assert embedder.count_tokens(texts[0]) > 0


def test_a_single_string_is_not_taken_for_a_list_of_characters(embedder: Embedder) -> None:
    with pytest.raises(TypeError, match="sequence of texts"):
        embedder.embed("hello")


def test_threads_are_explicit(data: Path) -> None:
    assert open_embedder(data, threads=2, quantization="int8").threads == 2
    usable = len(os.sched_getaffinity(0))
    assert embed_thread_count(0) == max(1, usable - 1)
    assert open_embedder(data, quantization="int8").threads == embed_thread_count(0)
    assert embed_thread_count(3) == 3


def test_the_quantization_setting_takes_only_what_is_built(tmp_path: Path) -> None:
    assert load_settings(environ={"ATOM_DATA_DIR": str(tmp_path)}).knowledge.embed_quantization == "int8"
    chosen = load_settings(environ={"ATOM_DATA_DIR": str(tmp_path), "ATOM_KNOWLEDGE_EMBED_QUANTIZATION": "fp32"})
    assert chosen.knowledge.embed_quantization == "fp32"
    with pytest.raises(ConfigError, match="embed_quantization"):
        load_settings(environ={"ATOM_DATA_DIR": str(tmp_path), "ATOM_KNOWLEDGE_EMBED_QUANTIZATION": "int4"})


def test_a_model_not_installed_names_the_command_that_installs_it(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match=f"`atom models install {MODEL}`"):
        open_embedder(tmp_path)


def test_damaged_weights_name_the_fix(tmp_path: Path) -> None:
    data = install_minilm(tmp_path / "data")
    weights = model_folder(data) / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(ModelMissing, match=f"damaged.*`atom models install {MODEL}`"):
        open_embedder(data)


def test_a_file_damaged_behind_the_registrys_back_names_the_fix(tmp_path: Path) -> None:
    """Same size and time, so the cheap check passes; loading fails, and says what to do."""
    data = install_minilm(tmp_path / "data")
    tokenizer = model_folder(data) / "tokenizer.json"
    stat = tokenizer.stat()
    tokenizer.write_bytes(b"{" * stat.st_size)
    os.utime(tokenizer, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(ModelMissing, match=f"cannot be loaded.*`atom models install {MODEL} --force`"):
        open_embedder(data)


def test_a_model_folder_missing_files_names_the_fix(tmp_path: Path) -> None:
    data = install_minilm(tmp_path / "data")
    shutil.rmtree(model_folder(data))
    with pytest.raises(ModelMissing, match=f"`atom models install {MODEL}`"):
        open_embedder(data)
