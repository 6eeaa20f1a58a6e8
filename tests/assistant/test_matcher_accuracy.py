"""The fast tier on the labelled household utterances: how much it carries, and how often right.

Prints the figures (coverage of the commands meant for a tool, accuracy of what it matched, and
plain-chat utterances it wrongly took for a command) and writes them to test-artifacts.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from pathlib import Path

from appliance.assistant.matcher import match
from appliance.assistant.when import span_of
from tests.assistant.held_out import HELD_OUT
from tests.assistant.utterances import UTTERANCES, U

HOUSEHOLD = {"list": ["shopping", "chores"], "member": ["robin", "ada"]}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _right(expected: dict[str, object], got: dict[str, object]) -> bool:
    return all(str(got.get(k, "")).lower() == str(v).lower() for k, v in expected.items())


def score_matcher(utterances: U = UTTERANCES) -> dict[str, object]:
    commands = [(t, tool, args) for t, tool, args in utterances if tool != "chat"]
    chats = [t for t, tool, _ in utterances if tool == "chat"]
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
        "utterances": len(utterances),
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


def test_on_phrasing_it_was_not_tuned_on_the_matcher_is_still_right_when_it_answers() -> None:
    """Misses go to the model tier; a wrong match acts wrongly, so precision is what must hold."""
    figures = score_matcher(HELD_OUT)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "assistant_matcher_held_out.json").write_text(json.dumps(figures, indent=2, default=str))
    print(
        f"\nheld out: {figures['utterances']} utterances, coverage {figures['coverage']:.3f} of "
        f"{figures['commands']} commands, accuracy {figures['accuracy']:.3f} of those matched"
    )
    assert len(HELD_OUT) >= 80
    assert figures["accuracy"] >= 0.9, figures["wrong"]
    assert not figures["chat_taken_for_commands"], figures["chat_taken_for_commands"]


def test_a_period_asked_about_is_the_days_a_person_means() -> None:
    monday, sunday = datetime(2026, 1, 5, 12, tzinfo=UTC), datetime(2026, 1, 11, 12, tzinfo=UTC)
    assert span_of("what's on this weekend", monday) == (date(2026, 1, 10), 2, "this weekend")
    assert span_of("next weekend", sunday) == (date(2026, 1, 17), 2, "next weekend")
    assert span_of("this weekend", sunday) == (date(2026, 1, 11), 1, "today")
    assert span_of("next week", monday)[:2] == (date(2026, 1, 12), 7)
    assert span_of("tomorrow", monday)[:2] == (date(2026, 1, 6), 1)


def test_a_when_slot_must_be_nothing_but_a_time() -> None:
    plate = match("what's on my plate today", HOUSEHOLD)
    assert plate is None or plate.tool != "calendar_query"
    assert match("what's on tomorrow afternoon", HOUSEHOLD).arguments == {"when": "tomorrow afternoon"}  # type: ignore[union-attr]
