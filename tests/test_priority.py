"""Background threads give way: the local model's thread runs at lower CPU priority, the rest do not."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable

import pytest

from appliance.ai.providers.local.provider import LocalChatProvider, LocalOptions
from appliance.system.priority import BACKGROUND_STEPS, lower_this_thread

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="per-thread priority is Linux's")


def _niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def _on_a_thread(work: Callable[[], int]) -> int:
    seen: list[int] = []
    thread = threading.Thread(target=lambda: seen.append(work()))
    thread.start()
    thread.join(5)
    return seen[0]


def test_a_thread_lowers_itself_and_only_itself() -> None:
    mine = _niceness()

    def lowered() -> int:
        lower_this_thread()
        return _niceness()

    assert _on_a_thread(lowered) == min(19, mine + BACKGROUND_STEPS)
    assert _niceness() == mine  # the rest of the process (the event loop) keeps its priority


def test_threads_started_by_a_lowered_thread_inherit_it() -> None:
    """llama.cpp starts its worker threads from the generation thread: they must give way too."""
    mine = _niceness()

    def child_of_lowered() -> int:
        lower_this_thread()
        return _on_a_thread(_niceness)

    assert _on_a_thread(child_of_lowered) == min(19, mine + BACKGROUND_STEPS)


def test_the_local_models_generation_thread_runs_lowered() -> None:
    provider = LocalChatProvider(LocalOptions())
    try:
        on_its_thread = provider._thread.submit(_niceness).result(5)  # noqa: SLF001 - the thread itself
    finally:
        provider._thread.shutdown()  # noqa: SLF001
    assert on_its_thread == min(19, _niceness() + BACKGROUND_STEPS)
