"""Voice: how well tiny.en hears household commands with no prompt, Atom's prompt, and other prompts.

Thirty household commands spoken by piper (the tests' steady voice), heard three ways: as piper
made them (16 kHz); as a browser capture delivers them (up to 48 kHz and back, as Chrome's capture
and Atom's conversion do); and that capture at a quarter of the level. Each is transcribed by
faster-whisper with Atom's options under each candidate prompt. Printed per prompt and way: the
word error rate over all commands (numbers count as their words; "Adam" counts as "Atom", which
Atom takes too), the commands heard word for word, and how often the command's verb (add, set,
what's, remind, ...) came through. Nothing is timed or asserted.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache
from appliance.settings import load_settings
from appliance.voice import VoiceEngine
from appliance.voice.audio import RATE, Pcm, resample, to_float, to_model_pcm
from appliance.voice.stt import WAKE_WORD, options, prompt_for

MEMBERS = ["ada", "ben", "chloe"]
LISTS = ["chores", "groceries", "shopping"]
COMMANDS = [
    "Atom, add milk to the shopping list.",
    "Atom, add eggs to the groceries list.",
    "Atom, add bread and butter to the shopping list.",
    "Atom, add take out the bins to the chores list.",
    "Atom, add apples to my list.",
    "Atom, what's on my calendar today?",
    "Atom, what's on the shopping list?",
    "Atom, what's on my calendar tomorrow?",
    "Atom, set a timer for ten minutes.",
    "Atom, set a timer for five minutes.",
    "Atom, set a pasta timer for eight minutes.",
    "Atom, how much time is left on the timer?",
    "Atom, cancel the timer.",
    "Atom, stop.",
    "Atom, what time is it?",
    "Atom, what's the weather like today?",
    "Atom, remind me to call Ben at six.",
    "Atom, remind Ada to water the plants tomorrow.",
    "Atom, add a dentist appointment on Friday at ten.",
    "Atom, remove milk from the shopping list.",
    "Atom, clear the chores list.",
    "Atom, read me the groceries list.",
    "Atom, mark bread as done.",
    "Atom, tell Chloe dinner is ready.",
    "Atom, what's Ben doing this afternoon?",
    "Atom, add a note that the boiler was serviced.",
    "Atom, turn off the kitchen lights.",
    "Atom, play some music.",
    "Atom, what did I add to the list yesterday?",
    "Atom, add coffee to the shopping list.",
]
VERBS = {"add", "what's", "set", "how", "cancel", "stop", "what", "remind", "remove", "clear", "read", "mark"}
VERBS |= {"tell", "turn", "play"}


def _names_only(words: Sequence[str]) -> str:
    """Atom's prompt before this bench: the wake word and the household's words as a plain list."""
    return ", ".join([WAKE_WORD] + [w.title() for w in dict.fromkeys(words)]) + "."


def _sentence(words: Sequence[str]) -> str:
    names, lists = [w.title() for w in MEMBERS], [w for w in LISTS]
    return f"Atom is the assistant of {', '.join(names)}. Their lists are {', '.join(lists)}."


def _example_command(words: Sequence[str]) -> str:
    return f"Atom, add milk to the list. {', '.join(w.title() for w in words)}."


PROMPTS: dict[str, Callable[[Sequence[str]], str | None]] = {
    "no prompt": lambda words: None,
    "names only (Atom's before)": _names_only,
    "a sentence naming them": _sentence,
    "an example command, then names": _example_command,
    "Atom's prompt (verbs, then names)": prompt_for,
}


def _browser(pcm: Pcm, level: float = 1.0) -> Pcm:
    """16 kHz speech as a browser capture brings it: 48 kHz (Chrome's capture rate), then Atom's
    conversion back to 16 kHz, optionally quieter."""
    up = resample(to_float(pcm), RATE, 48_000) * level
    return to_model_pcm(Pcm((np.clip(up, -1, 1) * 32767).astype("<i2").tobytes(), 48_000))


WAYS: dict[str, Callable[[Pcm], Pcm]] = {
    "16 kHz": lambda pcm: pcm,
    "browser 48k": _browser,
    "browser, quiet": lambda pcm: _browser(pcm, 0.25),
}


_NUMBERS = "zero one two three four five six seven eight nine ten eleven twelve".split()


def _words(text: str) -> list[str]:
    plain = re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("adam", "atom")).split()
    return [_NUMBERS[int(w)] if w.isdigit() and int(w) < len(_NUMBERS) else w for w in plain]


def _errors(said: list[str], heard: list[str]) -> int:
    """Word-level edit distance."""
    row = list(range(len(heard) + 1))
    for i, word in enumerate(said, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(heard, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[-1]


def _speech(engine: VoiceEngine) -> list[tuple[str, Pcm]]:
    return [(text, to_model_pcm(engine.tts.synthesize(text, steady=True))) for text in COMMANDS]


def _hear(model: object, pcm: Pcm, prompt: str | None) -> str:
    segments, _ = model.transcribe(to_float(pcm), **{**options([]), "initial_prompt": prompt})  # type: ignore[attr-defined]
    return " ".join(s.text.strip() for s in segments)


def _score(model: object, spoken: list[tuple[str, Pcm]], way: Callable[[Pcm], Pcm], prompt: str | None) -> str:
    errors = total = exact = verbs = 0
    for text, pcm in spoken:
        said, heard = _words(text), _words(_hear(model, way(pcm), prompt))
        errors, total = errors + _errors(said, heard), total + len(said)
        exact += said == heard
        verbs += said[1] in heard[:3]
    n = len(spoken)
    return f"WER {errors / total:6.1%}   exact {exact:2d}/{n}   verb heard {verbs:2d}/{n}"


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        for name in ("whisper-tiny-en", "piper-joe"):
            install_model(data, load_manifest().get(name), model_cache())
        engine = VoiceEngine(load_settings(environ={}, data_dir=data))
        spoken = _speech(engine)
        engine.stt.load()
        model = engine.stt._model
        words = MEMBERS + LISTS
        print(f"   {len(spoken)} commands, household words {words}")
        for label, make in PROMPTS.items():
            print(f"   {label}: {make(words)!r}", flush=True)
            for way_name, way in WAYS.items():
                print(f"     {way_name:<15} {_score(model, spoken, way, make(words))}", flush=True)
