"""Pieces of the local engine: stop strings cut across token boundaries, the transcript prompt
used for GGUFs without a chat template, and the provider's options."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.ai.models import install_model, load_manifest, require_model
from appliance.ai.providers.base import ChatMessage, ProviderConfig
from appliance.ai.providers.local.engine import _StopScanner
from appliance.ai.providers.local.provider import LocalChatProvider, LocalOptions, create
from appliance.caches import model_cache
from appliance.errors import InvalidInput

CACHE = model_cache()


def test_text_that_may_begin_a_stop_string_is_held_back() -> None:
    scanner = _StopScanner(["\nUser:"])
    assert scanner.feed("Paris is nice.") == ("Paris is nice.", False)
    assert scanner.feed("\nUs") == ("", False)
    assert scanner.feed("er: what") == ("", True)


def test_held_back_text_is_released_when_it_is_not_a_stop_string() -> None:
    scanner = _StopScanner(["\nUser:"])
    assert scanner.feed("one\nUs") == ("one", False)
    assert scanner.feed("ually") == ("\nUsually", False)
    assert scanner.feed("\n") == ("", False)
    assert scanner.flush() == "\n"


def test_the_earliest_of_several_stop_strings_wins() -> None:
    scanner = _StopScanner(["END", "STOP"])
    assert scanner.feed("a STOP b END") == ("a ", True)


def test_options_arrive_as_strings_and_threads_are_explicit() -> None:
    given = {"data_dir": "/x", "threads": "3", "context": "1024"}
    provider = create(ProviderConfig(kind="local", options=given))
    assert isinstance(provider, LocalChatProvider)
    options = provider.options
    assert options == LocalOptions(data_dir=Path("/x"), model="smollm2", threads=3, context=1024)
    assert options.thread_count == 3
    assert 1 <= LocalOptions().thread_count <= 4
    with pytest.raises(InvalidInput, match="threads"):
        create(ProviderConfig(kind="local", options={"threads": "many"}))


def test_a_gguf_without_a_chat_template_is_prompted_with_a_transcript(tmp_path_factory: pytest.TempPathFactory) -> None:
    llama_cpp = pytest.importorskip("llama_cpp")
    from appliance.ai.providers.local.engine import TRANSCRIPT_STOPS, LoadedModel

    data = tmp_path_factory.getbasetemp() / "smollm2-data"  # shared with the other model tests
    install_model(data, load_manifest().get("smollm2"), CACHE)
    gguf = require_model(data, "smollm2").path(data)
    llama = llama_cpp.Llama(model_path=str(gguf), n_ctx=256, n_threads=1, vocab_only=True, verbose=False)
    model = LoadedModel(llama, chat_template=None)
    messages = [ChatMessage(role="system", content="Be kind."), ChatMessage(role="user", content="Hi")]
    prompt = llama.detokenize(model.encode(messages), special=True).decode()
    assert prompt.endswith("Be kind.\n\nUser: Hi\nAssistant:")
    assert model.stops == TRANSCRIPT_STOPS
