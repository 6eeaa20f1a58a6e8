"""The fast tier on the labelled household utterances: how much it carries, and how often right.

Prints the figures (coverage of the commands meant for a tool, accuracy of what it matched, and
plain-chat utterances it wrongly took for a command) and writes them to test-artifacts.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from appliance.assistant.matcher import match
from tests.assistant.utterances import UTTERANCES

HOUSEHOLD = {"list": ["shopping", "chores"], "member": ["robin", "ada"]}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _right(expected: dict[str, object], got: dict[str, object]) -> bool:
    return all(str(got.get(k, "")).lower() == str(v).lower() for k, v in expected.items())


def score_matcher() -> dict[str, object]:
    commands = [(t, tool, args) for t, tool, args in UTTERANCES if tool != "chat"]
    chats = [t for t, tool, _ in UTTERANCES if tool == "chat"]
    matched, right, wrong, times = 0, 0, [], []
    for text, tool, args in commands:
        started = time.perf_counter()
        found = match(text, HOUSEHOLD)
        times.append(time.perf_counter() - started)
        if found is None:
            continue
        matched += 1
        if found.tool == tool and _right(args, found.arguments):
            right += 1
        else:
            wrong.append((text, tool, args, found.tool, found.arguments))
    taken = [(t, f.tool) for t in chats if (f := match(t, HOUSEHOLD)) is not None]
    times.sort()
    return {
        "utterances": len(UTTERANCES),
        "commands": len(commands),
        "coverage": matched / len(commands),
        "accuracy": right / max(matched, 1),
        "chat_taken_for_commands": taken,
        "wrong": wrong,
        "missed": [t for t, _, _ in commands if match(t, HOUSEHOLD) is None],
        "p50_ms": times[len(times) // 2] * 1000,
        "max_ms": times[-1] * 1000,
    }


def test_the_matcher_carries_the_everyday_commands_and_is_right_when_it_does() -> None:
    figures = score_matcher()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "assistant_matcher.json").write_text(json.dumps(figures, indent=2, default=str))
    print(
        f"\nmatcher: {figures['utterances']} utterances, coverage {figures['coverage']:.3f} of "
        f"{figures['commands']} commands, accuracy {figures['accuracy']:.3f} of those matched, "
        f"{len(figures['chat_taken_for_commands'])} plain-chat utterances taken for commands, "  # type: ignore[arg-type]
        f"p50 {figures['p50_ms']:.2f} ms"
    )
    assert len(UTTERANCES) >= 150
    assert figures["coverage"] >= 0.9, figures["missed"]
    assert figures["accuracy"] >= 0.95, figures["wrong"]
    assert not figures["chat_taken_for_commands"], figures["chat_taken_for_commands"]
