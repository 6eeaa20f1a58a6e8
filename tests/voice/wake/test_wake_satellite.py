"""`atom satellite` with Atom's wake model in its own data folder: it listens to its audio for
"Atom" and sends only what follows; audio without the wake word does nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import TestClient

from appliance.voice import strip_wake_word
from appliance.voice.audio import wav_bytes
from tests.voice.wake.conftest import joined, silence, trimmed

pytestmark = pytest.mark.timeout(300)


def satellite(tmp_path: Path, uri: str, token: str, models: Path, *wavs: Path) -> subprocess.CompletedProcess:
    data = tmp_path / "satellite-data"
    data.mkdir()
    os.symlink(models / "models", data / "models")  # the satellite's own wake model
    token_file = tmp_path / "satellite.token"
    token_file.write_text(token + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATOM_")}
    env["ATOM_DATA_DIR"] = str(data)
    source = "file://" + ",".join(str(w) for w in wavs)
    command = [sys.executable, "-m", "appliance", "satellite", "--server", uri, "--token-file", str(token_file)]
    command += ["--source", source, "--sink", "null://"]
    return subprocess.run(command, env=env, capture_output=True, timeout=240)


def test_the_wake_word_then_a_command_runs_the_command_and_other_speech_does_not(
    wake_app: TestClient, wake_uri: str, wake_models: Path, piper_says, tmp_path: Path
) -> None:
    token = wake_app.post("/api/voice/satellites", json={"name": "kitchen", "room": "kitchen"}).json()["token"]
    no_wake = tmp_path / "no-wake.wav"
    no_wake.write_bytes(wav_bytes(joined(silence(0.5), piper_says("Add apples to the shopping list."))))
    woken = tmp_path / "woken.wav"
    speech = joined(silence(0.7), piper_says("Atom."), silence(0.4), piper_says("Add bread to the shopping list."))
    woken.write_bytes(wav_bytes(speech))
    done = satellite(tmp_path, wake_uri, token, wake_models, no_wake, woken)
    said = done.stdout.decode() + done.stderr.decode()
    assert done.returncode == 0, said
    assert "Listening for 'Atom'." in said and "no wake-word model" not in said
    assert said.count("wake word heard") == 1
    assert "heard: Add bread to the shopping list." in said and "apples" not in said
    assert [i["text"] for i in wake_app.get("/api/lists/shopping/items").json()] == ["bread"]  # no apples


def test_a_command_said_in_the_same_breath_as_atom_keeps_its_first_words(
    wake_app: TestClient, wake_uri: str, wake_models: Path, piper_says, tmp_path: Path
) -> None:
    """Sent from the chunk after the detection (as before), this was heard as "Red to the shopping list."."""
    token = wake_app.post("/api/voice/satellites", json={"name": "hall", "room": "hall"}).json()["token"]
    woken = tmp_path / "one-breath.wav"
    command = trimmed(piper_says("Add bread to the shopping list."))
    speech = joined(silence(0.7), trimmed(piper_says("Atom.")), silence(0.05), command, silence(0.3))
    woken.write_bytes(wav_bytes(speech))
    done = satellite(tmp_path, wake_uri, token, wake_models, woken)
    said = done.stdout.decode() + done.stderr.decode()
    assert done.returncode == 0, said
    heard = [line.split("heard: ", 1)[1] for line in said.splitlines() if line.startswith("heard: ")]
    assert len(heard) == 1, said
    assert strip_wake_word(heard[0]).lower() == "add bread to the shopping list.", said  # "Atom," may lead it
    assert [i["text"] for i in wake_app.get("/api/lists/shopping/items").json()] == ["bread"]
