"""The blocking side of local chat: llama.cpp models in memory, prompts, token generation.

Everything here runs on the provider's generation thread, never on the event loop. A model
is loaded once per (file, context, threads) for the whole process and shared by every
provider instance; its `lock` keeps one generation at a time on it (llama.cpp contexts are
not thread-safe).
"""

from __future__ import annotations

import atexit
import codecs
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from appliance.ai.providers.base import ChatMessage

if TYPE_CHECKING:
    from llama_cpp import Llama

__all__ = ["Sampling", "Outcome", "LoadedModel", "load_model", "unload_models", "TRANSCRIPT_TEMPLATE"]

# For GGUFs without a chat template (base models): a plain transcript the model continues.
TRANSCRIPT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}"
    "{% if m.role == 'system' %}{{ m.content }}\n\n"
    "{% elif m.role == 'user' %}User: {{ m.content }}\n"
    "{% else %}Assistant: {{ m.content }}\n{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}Assistant:{% endif %}"
)
TRANSCRIPT_STOPS = ["\nUser:"]


class Sampling(msgspec.Struct, frozen=True, kw_only=True):
    temperature: float = 0.5
    top_k: int = 40
    top_p: float = 0.95
    min_p: float = 0.05
    repeat_penalty: float = 1.1  # small models loop without it


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    output_tokens: int
    finish_reason: str  # "stop", "length", or "cancelled" when the consumer went away


class LoadedModel:
    def __init__(self, llama: Llama, chat_template: str | None) -> None:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.llama = llama
        self.lock = threading.Lock()
        self.stops = [] if chat_template else list(TRANSCRIPT_STOPS)
        self._format = Jinja2ChatFormatter(
            chat_template or TRANSCRIPT_TEMPLATE,
            eos_token=self._text_of(llama.token_eos()),
            bos_token=self._text_of(llama.token_bos()),
        )

    @property
    def n_ctx(self) -> int:
        return self.llama.n_ctx()

    def encode(self, messages: list[ChatMessage]) -> list[int]:
        """The prompt tokens for `messages`, rendered with the model's chat template."""
        rendered = self._format(messages=msgspec.to_builtins(messages))
        # The template writes any special tokens itself (as llama-cpp-python does for Jinja templates).
        return self.llama.tokenize(rendered.prompt.encode("utf-8"), add_bos=False, special=True)

    def generate(
        self,
        prompt: list[int],
        max_tokens: int,
        sampling: Sampling,
        stops: list[str],
        cancelled: Callable[[], bool],
        emit: Callable[[str], None],
        grammar: str | None = None,
    ) -> Outcome:
        """Generate up to `max_tokens`, handing text to `emit`; `cancelled` is asked before every token.

        With a GBNF `grammar` the output follows it, and only `stops` end it early: the transcript
        stops of a template-less model could occur inside a JSON string."""
        if cancelled():  # the reader left while the prompt was prepared: skip reading it
            return Outcome(output_tokens=0, finish_reason="cancelled")
        scanner = _StopScanner(stops if grammar else self.stops + stops)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        count, finish = 0, "length"
        for token in self._tokens(prompt, sampling, grammar):
            if cancelled():
                return Outcome(output_tokens=count, finish_reason="cancelled")
            if self._ends_turn(token):
                finish = "stop"
                break
            count += 1
            text, hit = scanner.feed(decoder.decode(self.llama.detokenize([token])))
            emit(text)
            if hit:
                return Outcome(output_tokens=count, finish_reason="stop")
            if count >= max_tokens:
                break
        emit(scanner.flush() + decoder.decode(b"", final=True))
        return Outcome(output_tokens=count, finish_reason=finish)

    def _tokens(self, prompt: list[int], sampling: Sampling, grammar: str | None) -> Iterator[int]:
        from llama_cpp import LlamaGrammar

        return self.llama.generate(
            prompt,
            temp=sampling.temperature,
            top_k=sampling.top_k,
            top_p=sampling.top_p,
            min_p=sampling.min_p,
            repeat_penalty=sampling.repeat_penalty,
            grammar=LlamaGrammar.from_string(grammar, verbose=False) if grammar else None,
        )

    def takes_grammar(self, grammar: str) -> bool:
        """Whether llama.cpp parses `grammar`. One it cannot parse gives a null sampler, which
        llama-cpp-python would add to its chain anyway and crash on: so ask first, on its own."""
        import llama_cpp

        sampler = llama_cpp.llama_sampler_init_grammar(self.llama._model.vocab, grammar.encode("utf-8"), b"root")
        if not sampler:
            return False
        llama_cpp.llama_sampler_free(sampler)
        return True

    def _ends_turn(self, token: int) -> bool:
        import llama_cpp

        # End-of-generation covers every turn-ending token (<|im_end|>, <end_of_turn>, eos).
        return bool(llama_cpp.llama_vocab_is_eog(self.llama._model.vocab, token))

    def _text_of(self, token: int) -> str:
        return self.llama.detokenize([token], special=True).decode("utf-8", errors="replace") if token >= 0 else ""


class _StopScanner:
    """Holds back text that might be the start of a stop string, and cuts at the first one."""

    def __init__(self, stops: list[str]) -> None:
        self.stops = [s for s in stops if s]
        self.pending = ""

    def feed(self, text: str) -> tuple[str, bool]:
        self.pending += text
        hits = [i for i in (self.pending.find(s) for s in self.stops) if i >= 0]
        if hits:
            ready, self.pending = self.pending[: min(hits)], ""
            return ready, True
        keep = max((_overlap(self.pending, s) for s in self.stops), default=0)
        cut = len(self.pending) - keep
        ready, self.pending = self.pending[:cut], self.pending[cut:]
        return ready, False

    def flush(self) -> str:
        rest, self.pending = self.pending, ""
        return rest


def _overlap(text: str, stop: str) -> int:
    """How many characters at the end of `text` begin `stop`."""
    for size in range(min(len(text), len(stop) - 1), 0, -1):
        if stop.startswith(text[-size:]):
            return size
    return 0


_LOADED: dict[tuple[Path, int, int], LoadedModel] = {}
_LOADING = threading.Lock()


def load_model(path: Path, n_ctx: int, n_threads: int, chat_template: str | None) -> LoadedModel:
    """The model at `path`, loaded on first use and kept for the life of the process."""
    key = (path.resolve(), n_ctx, n_threads)
    with _LOADING:
        if key not in _LOADED:
            from llama_cpp import Llama

            llama = Llama(
                model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads, verbose=False
            )
            _LOADED[key] = LoadedModel(llama, chat_template or llama.metadata.get("tokenizer.chat_template"))
        return _LOADED[key]


def unload_models() -> None:
    """Free every loaded model (at shutdown, or when the data folder's models changed)."""
    with _LOADING:
        for model in _LOADED.values():
            with model.lock:
                model.llama.close()
        _LOADED.clear()


# Free models while the interpreter is whole: llama-cpp's own finalizers fail during teardown.
atexit.register(unload_models)
