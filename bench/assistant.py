"""Message to action: matched commands and model-routed ones, each stage's share; the local model's accuracy.

In-process, on a data folder with the default models: the same calls `/api/assist` makes, timed
stage by stage (household words for the slots, the matcher or the model, the tool, keeping the
turn). The accuracy is the local model's alone (the matcher bypassed) on a sample of the labelled
household utterances in tests/assistant; the matcher's own figures are in its test.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from appliance.accounts.shapes import Principal
from appliance.ai.models import install_model, load_manifest
from appliance.assistant import household_words
from appliance.assistant.conversation import assist
from appliance.assistant.llm_tier import choose
from appliance.assistant.matcher import match
from appliance.caches import model_cache
from appliance.runtime import open_runtime
from appliance.server.routes.assist import tool_context
from appliance.settings import load_settings
from tests.assistant.utterances import UTTERANCES

SAMPLE = 30  # utterances the local model judges (each takes a second or two)
MATCHED = [u for u in UTTERANCES if u[1] not in ("chat", "confirm", "deny", "stop", "cancel")][:40]


def _principal(user_id: str) -> Principal:
    return Principal(user_id=user_id, username="bench", display_name="Bench", role="admin", via="session")


async def _matched(runtime, principal: Principal) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    stages: dict[str, list[float]] = {"context": [], "slots": [], "match": [], "act+keep": []}
    for text, _, _ in MATCHED:
        t0 = time.perf_counter()
        ctx = await tool_context(runtime, principal, None)
        t1 = time.perf_counter()
        words = await household_words(ctx)
        t2 = time.perf_counter()
        match(text, words)
        t3 = time.perf_counter()
        await assist(runtime.assistant, ctx, text)  # runs the matcher again, then the tool, then keeps both turns
        t4 = time.perf_counter()
        for name, took in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            stages[name].append(took * 1000)
    return stages


async def _local(runtime, principal: Principal) -> tuple[list[float], float]:  # type: ignore[no-untyped-def]
    times, right = [], 0
    sample = [u for u in UTTERANCES if u[1] != "chat"][::4][:SAMPLE]
    for text, tool, _ in sample:
        ctx = await tool_context(runtime, principal, None)
        started = time.perf_counter()
        choice = await choose(text, ctx)
        times.append((time.perf_counter() - started) * 1000)
        right += choice.tool == tool
    return times, right / len(sample)


def _line(name: str, values: list[float]) -> str:
    return f"     {name:<12} p50 {statistics.median(values):7.1f} ms   max {max(values):7.1f} ms"


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        for name in ("smollm2", "minilm-l6-v2"):
            install_model(data, load_manifest().get(name), model_cache())
        runtime = open_runtime(load_settings(environ={}, data_dir=data, log={"level": "WARNING"}))
        try:
            user_id = asyncio.run(_first_member(runtime))
            stages = asyncio.run(_matched(runtime, _principal(user_id)))
            total = [sum(parts) for parts in zip(*stages.values(), strict=True)]
            print(f"   matched commands ({len(MATCHED)}), server time per message:")
            for name, values in stages.items():
                print(_line(name, values))
            print(_line("total", total) + "   (target < 50 ms)")
            times, accuracy = asyncio.run(_local(runtime, _principal(user_id)))
            print(f"   local model (SmolLM2-135M, grammar-constrained) choosing among {len(MATCHED) and 25} tools:")
            print(_line("choose", times))
            print(f"     accuracy on {len(times)} labelled commands (matcher bypassed): {accuracy:.2f}")
        finally:
            runtime.close()


async def _first_member(runtime) -> str:  # type: ignore[no-untyped-def]
    from appliance.accounts.shapes import UserCreate
    from appliance.accounts.users import create_first_admin

    admin = await create_first_admin(runtime.db, UserCreate(username="bench", password="benchmark password"))
    runtime.setup_done()
    return admin.id
