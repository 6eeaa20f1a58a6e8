"""Chat with a model on this box through llama.cpp: no key, no network, no per-token cost.

`ProviderConfig.options` (all strings, all optional; the defaults are the `ai.*` settings'):
    data_dir  the data folder holding `models/` (default "data")
    model     the chat model used when a request names none (`ai.local_model`)
    threads   CPU threads for llama.cpp (`ai.threads`; 0: the cores this process may use less
              one, for the wake word and the web server, at least 1 and at most 4)
    context   the largest context window to allocate, in tokens (`ai.context`); a model
              trained for less gets its own
    per_member  requests one member may have waiting or running at once (`ai.local_per_member`)
    queue       requests that may wait for the model at once, in all (`ai.local_queue`)

One request generates at a time, so replies never interleave; the others wait in a FairQueue
(fair_queue.py), which takes turns between members (`ChatRequest.member`) and refuses requests
past its limits with RateLimited. Generation runs on one dedicated thread; tokens reach the
event loop through a queue, and a consumer that stops reading (a client that went away) sets a
flag the thread checks before every token, which frees the model at once. A consumer that
leaves while waiting leaves the queue.

Tools are grammar-constrained JSON (tools.py): the model first writes which tool to call, held to
the tools' schemas, in the same turn at the model and on the same thread; the call arrives in
the last chunk. When it chooses none, the words follow from a second pass without the tools.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import msgspec

from appliance.ai.models import CHAT_TEMPLATE_FILE, InstalledModel, read_installed, require_model
from appliance.ai.providers.base import (
    ChatChunk,
    ChatMessage,
    ChatProvider,
    ChatRequest,
    ChatResult,
    ProviderConfig,
    ToolCall,
    Usage,
)
from appliance.ai.providers.local.engine import LoadedModel, Outcome, Sampling, load_model
from appliance.ai.providers.local.fair_queue import FairQueue, Ticket
from appliance.ai.providers.local.history import fit_history
from appliance.ai.providers.local.tools import decides_tools, grammar, plain_turns, read_choice, tool_turns
from appliance.ai.speed import ReplyTimer, local_speed
from appliance.errors import InvalidInput, ModelMissing, ProviderError, ProviderRequestError, ProviderUnavailable
from appliance.settings import AISettings, Settings
from appliance.system.priority import lower_this_thread

__all__ = ["create", "LocalChatProvider", "LocalOptions"]

DEFAULT_MAX_TOKENS = 512
# Choosing a tool wants the likeliest choice, and JSON repeats its quotes and braces by nature.
TOOL_SAMPLING = Sampling(temperature=0.2, repeat_penalty=1.0)
_DEFAULTS = AISettings()  # the settings' defaults, written once there

log = logging.getLogger(__name__)


class LocalOptions(msgspec.Struct, frozen=True, kw_only=True):
    data_dir: Path = Settings().data_dir
    model: str = _DEFAULTS.local_model
    threads: int = _DEFAULTS.threads  # 0: decide from the machine
    context: int = _DEFAULTS.context
    per_member: Annotated[int, msgspec.Meta(ge=1)] = _DEFAULTS.local_per_member
    queue: Annotated[int, msgspec.Meta(ge=0)] = _DEFAULTS.local_queue

    @property
    def thread_count(self) -> int:
        # llama.cpp's threads spin while they wait for each other: on cores shared with other work
        # two threads on two cores measured 5x slower than one. So leave a core free by default.
        return self.threads if self.threads > 0 else max(1, min(_usable_cores() - 1, 4))


def create(config: ProviderConfig, **_: Any) -> ChatProvider:
    try:
        options = msgspec.convert(config.options, LocalOptions, strict=False, dec_hook=_path)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"local AI provider: {exc}") from None
    return LocalChatProvider(options)


class _Finished(msgspec.Struct, frozen=True):
    usage: Usage
    finish_reason: str
    tool_calls: list[ToolCall] | None = None


class _Job:
    """One request's link between the generation thread and the event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[str | _Finished | BaseException] = asyncio.Queue()
        self.stop = threading.Event()
        self.thread_done: asyncio.Future[None] | None = None  # set when the thread takes the job

    def send(self, item: str | _Finished | BaseException) -> None:
        """Called on the generation thread."""
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            self.stop.set()


class LocalChatProvider:
    kind = "local"

    def __init__(self, options: LocalOptions) -> None:
        self.options = options
        self._queue = FairQueue(options.per_member, options.queue)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="atom-local-llm", initializer=lower_this_thread)
        self._current: _Job | None = None

    @property
    def busy(self) -> bool:
        """A request holds the model (generating, or finishing after its consumer left)."""
        return self._queue.busy

    @property
    def waiting(self) -> int:
        """Requests admitted and waiting for the model."""
        return self._queue.waiting

    async def stream(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        ticket = self._queue.enter(request.member)  # RateLimited here, before anything is sent
        timer = ReplyTimer(local_speed, request.model or self.options.model)  # waiting for a turn counts
        job = await self._start(request, ticket)
        try:
            while not isinstance(item := await job.queue.get(), _Finished):
                if isinstance(item, BaseException):
                    await self._end_turn(job, ticket)
                    raise item
                timer.text()
                yield ChatChunk(text=item)
            await self._end_turn(job, ticket)
            timer.done()
            yield ChatChunk(usage=item.usage, finish_reason=item.finish_reason, tool_calls=item.tool_calls)
        finally:
            job.stop.set()  # ends generation if the consumer stopped early; harmless otherwise

    async def complete(self, request: ChatRequest) -> ChatResult:
        parts: list[str] = []
        last = ChatChunk()
        async for chunk in self.stream(request):
            parts.append(chunk.text)
            last = chunk
        return ChatResult(
            model=request.model or self.options.model,
            text="".join(parts),
            usage=last.usage or Usage(),
            finish_reason=last.finish_reason,
            tool_calls=last.tool_calls,
        )

    async def list_models(self) -> list[str]:
        installed = await asyncio.to_thread(read_installed, self.options.data_dir)
        return sorted(name for name, model in installed.models.items() if model.role == "chat")

    async def aclose(self) -> None:
        if self._current is not None:
            self._current.stop.set()
        self._queue.close()
        await self._queue.idle()  # the generation thread has let go of the model
        self._thread.shutdown(wait=False)

    async def _start(self, request: ChatRequest, ticket: Ticket) -> _Job:
        """Wait for our turn, then set the generation going on the thread."""
        try:
            await self._queue.turn(ticket)
        except BaseException:  # the consumer left while waiting (or the provider closed)
            self._queue.leave(ticket)
            raise
        job = _Job(asyncio.get_running_loop())
        try:
            running = job.loop.run_in_executor(self._thread, self._generate, request, job)
        except RuntimeError:  # the executor refuses work after aclose()
            self._queue.leave(ticket)
            raise ProviderUnavailable("the local provider has been closed", provider="local") from None
        self._current, job.thread_done = job, running
        # The turn ends when the thread is done, not when the consumer is: the model stays ours until then.
        running.add_done_callback(lambda _: self._queue.leave(ticket))
        return job

    async def _end_turn(self, job: _Job, ticket: Ticket) -> None:
        """Once the reply is complete, free the model before the consumer hears so: its next request may follow."""
        if job.thread_done is not None:
            await asyncio.shield(job.thread_done)  # it only has to return; shielded, a cancel cannot end the turn early
        self._queue.leave(ticket)

    def _generate(self, request: ChatRequest, job: _Job) -> None:
        """On the generation thread: load (once), fit the history, generate, report."""
        if job.stop.is_set():  # the consumer left while waiting for its turn
            return
        try:
            model = self._model(request.model or self.options.model)
            with model.lock:
                finished = self._run(model, request, job)
            if finished.finish_reason == "cancelled":
                log.info("local reply stopped after %d tokens: its reader left", finished.usage.output_tokens)
            job.send(finished)
        except Exception as exc:  # every failure reaches the consumer, as a ProviderError
            job.send(_as_provider_error(exc))

    def _run(self, model: LoadedModel, request: ChatRequest, job: _Job) -> _Finished:
        """The tool JSON first when tools are offered; then words, unless a tool was called."""
        budget, spent = request.max_tokens or DEFAULT_MAX_TOKENS, Usage()
        if decides_tools(request.tools, request.tool_choice):
            decided, spent = self._decide(model, request, job, budget)
            if decided is not None:
                return decided
            budget -= spent.output_tokens
        if budget < 1:  # the choice of no tool took every token allowed
            return _Finished(spent, "length")
        outcome, prompt_tokens = self._say(model, plain_turns(request.messages), request, job, budget)
        usage = Usage(
            input_tokens=spent.input_tokens + prompt_tokens, output_tokens=spent.output_tokens + outcome.output_tokens
        )
        return _Finished(usage, outcome.finish_reason)

    def _say(
        self, model: LoadedModel, turns: list[ChatMessage], request: ChatRequest, job: _Job, budget: int
    ) -> tuple[Outcome, int]:
        fitted = fit_history(turns, model.encode, model.n_ctx, budget)
        sampling = Sampling() if request.temperature is None else Sampling(temperature=request.temperature)
        outcome = model.generate(
            fitted.tokens,
            fitted.max_tokens,
            sampling,
            request.stop or [],
            cancelled=job.stop.is_set,
            emit=lambda text: job.send(text) if text else None,
        )
        return outcome, len(fitted.tokens)

    def _decide(
        self, model: LoadedModel, request: ChatRequest, job: _Job, budget: int
    ) -> tuple[_Finished | None, Usage]:
        """The model's tool JSON: a finished reply when it calls a tool (or was cut off), else None."""
        tools = request.tools or []
        rules = grammar(tools, request.tool_choice)
        if not model.takes_grammar(rules):  # e.g. a pattern with an escape llama.cpp does not know
            raise ProviderRequestError("the local model cannot follow these tools' schemas", provider="local")
        fitted = fit_history(
            tool_turns(request.messages, tools, request.tool_choice), model.encode, model.n_ctx, budget
        )
        sampling = TOOL_SAMPLING
        if request.temperature is not None:
            sampling = msgspec.structs.replace(TOOL_SAMPLING, temperature=request.temperature)
        parts: list[str] = []
        outcome = model.generate(
            fitted.tokens, fitted.max_tokens, sampling, [], cancelled=job.stop.is_set, emit=parts.append, grammar=rules
        )
        spent = Usage(input_tokens=len(fitted.tokens), output_tokens=outcome.output_tokens)
        if outcome.finish_reason != "stop":  # cancelled, or the token limit came before the JSON closed
            return _Finished(spent, outcome.finish_reason), spent
        call = read_choice("".join(parts), tools)
        return (_Finished(spent, "tool_calls", [call]) if call else None), spent

    def _model(self, name: str) -> LoadedModel:
        installed = require_model(self.options.data_dir, name, role="chat")
        n_ctx = min(self.options.context, installed.context or self.options.context)
        return load_model(
            installed.path(self.options.data_dir),
            n_ctx,
            self.options.thread_count,
            _custom_template(self.options.data_dir, installed),
        )


def _usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _custom_template(data_dir: Path, model: InstalledModel) -> str | None:
    """An admin-supplied chat template, which wins over the GGUF's own."""
    if not any(f.path == CHAT_TEMPLATE_FILE for f in model.files):
        return None
    return (model.directory(data_dir) / CHAT_TEMPLATE_FILE).read_text(encoding="utf-8")


def _as_provider_error(exc: Exception) -> ProviderError:
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, ModelMissing):
        return ProviderUnavailable(str(exc), provider="local")
    if isinstance(exc, ImportError):
        return ProviderUnavailable("llama-cpp-python is not installed: run `scripts/llama-wheel.sh`", provider="local")
    # llama.cpp reports a file it cannot load as ValueError; anything else is unexpected but must not hang us.
    return ProviderUnavailable(
        f"the local model failed ({type(exc).__name__}: {exc}); `atom models verify` checks its files",
        provider="local",
    )


def _path(kind: type, value: Any) -> Any:
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise TypeError(f"cannot read a {kind.__name__} from {value!r}")
