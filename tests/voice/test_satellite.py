"""`atom satellite` as a real process, driven by audio from files and stdin, end to end against
the app's Wyoming endpoint; and `atom satellite pair` at the shell."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import TestClient

from appliance.runtime import open_runtime
from appliance.settings import load_settings
from appliance.voice.audio import read_wav, wav_bytes
from appliance.voice.satellites import identify
from tests.conftest import run_cli

pytestmark = pytest.mark.timeout(300)


def satellite(
    tmp_path: Path, uri: str, token: str, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess:
    token_file = tmp_path / "satellite.token"
    token_file.write_text(token + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATOM_")}
    env["ATOM_DATA_DIR"] = str(tmp_path / "satellite-data")
    command = [sys.executable, "-m", "appliance", "satellite", "--server", uri, "--token-file", str(token_file), *args]
    return subprocess.run(command, env=env, input=stdin, capture_output=True, timeout=240)


def wav(tmp_path: Path, name: str, pcm) -> str:
    path = tmp_path / name
    path.write_bytes(wav_bytes(pcm))
    return str(path)


def test_a_satellite_fed_from_files_acts_and_writes_the_spoken_replies(
    voice_app: TestClient, wyoming_uri: str, say, tmp_path: Path
) -> None:
    token = voice_app.post("/api/voice/satellites", json={"name": "kitchen", "room": "kitchen"}).json()["token"]
    first = wav(tmp_path, "add.wav", say("Atom, add oat milk to the shopping list."))
    second = wav(tmp_path, "clear.wav", say("Atom, clear the shopping list."))
    third = wav(tmp_path, "no.wav", say("No."))  # the answer, in the follow-up window
    out = tmp_path / "replies"
    done = satellite(
        tmp_path, wyoming_uri, token, "--source", f"file://{first},{second},{third}", "--sink", f"file://{out}"
    )
    said = done.stdout.decode() + done.stderr.decode()
    assert done.returncode == 0, said
    assert "no wake-word model for 'Atom' is installed yet" in said  # said at start
    assert "heard: Atom, add oat milk to the shopping list." in said
    assert "Atom: Added oat milk to Shopping." in said
    assert "Shall I clear" in said and "All right, I won't." in said
    assert [i["text"] for i in voice_app.get("/api/lists/shopping/items").json()] == ["oat milk"]
    replies = sorted(out.glob("*-reply.wav"))
    assert len(replies) == 3 and all(read_wav(r).seconds > 0.5 for r in replies)


def test_a_satellite_fed_from_stdin_runs_one_command(voice_app: TestClient, wyoming_uri: str, say, tmp_path: Path):
    token = voice_app.post("/api/voice/satellites", json={"name": "hall", "room": "hall"}).json()["token"]
    pcm = say("Atom, add bread to the shopping list.")
    done = satellite(
        tmp_path, wyoming_uri, token, "--source", "stdin://", "--sink", "null://", stdin=pcm.audio + bytes(64000)
    )
    assert done.returncode == 0, done.stderr.decode()
    assert "Added bread to Shopping." in done.stdout.decode()


def test_a_satellite_with_a_wrong_token_stops_with_a_clear_message(wyoming_uri: str, tmp_path: Path) -> None:
    done = satellite(tmp_path, wyoming_uri, "atomsat_not-a-real-one", "--source", "stdin://", "--sink", "null://")
    assert done.returncode == 1
    assert "Atom refused this satellite: unknown or revoked satellite token" in done.stderr.decode()


def test_a_satellite_without_a_microphone_or_pyaudio_says_why(wyoming_uri: str, tmp_path: Path) -> None:
    done = satellite(tmp_path, wyoming_uri, "atomsat_x", "--source", "mic://", "--sink", "null://")
    assert done.returncode == 1
    assert "mic://" in done.stderr.decode()  # pyaudio missing, or no sound device: either is named


def test_pairing_at_the_shell_prints_a_token_that_works(tmp_path: Path) -> None:
    data = tmp_path / "data"
    made = run_cli(data, "satellite", "pair", "--name", "porch", "--room", "porch")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("atomsat_") and "shown once" in made.stderr
    runtime = open_runtime(load_settings(environ={}, data_dir=data))
    try:
        import asyncio

        found = asyncio.run(identify(runtime.db, token))
        assert found is not None and found.satellite.room == "porch" and found.principal.user_id == "household"
    finally:
        runtime.close()
    nobody = run_cli(data, "satellite", "pair", "--name", "x", "--room", "y", "--member", "nobody")
    assert nobody.returncode == 1 and "no member named 'nobody'" in nobody.stderr
