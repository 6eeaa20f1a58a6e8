"""Wake-word fixtures: a data folder with Atom's wake model installed beside the voice models (the
shared voice fixtures deliberately have none), speech by piper and espeak-ng, and an app serving
Wyoming with it."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from litestar.testing import TestClient

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache
from appliance.runtime import Runtime
from appliance.settings import Settings, load_settings
from appliance.voice import VoiceEngine
from appliance.voice.audio import RATE, Pcm, from_float, to_float
from appliance.voice.wake import WakeModel, load_wake_model
from tests.voice.conftest import VOICE_MODELS, admin_app, linked_settings, serving_runtime

WAKE_MODELS = (*VOICE_MODELS, "atom-wake")


@pytest.fixture(scope="session")
def wake_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("wake") / "data"
    manifest = load_manifest()
    for name in WAKE_MODELS:
        install_model(data, manifest.get(name), model_cache())
    return data


@pytest.fixture(scope="session")
def wake_model(wake_models: Path) -> WakeModel:
    model = load_wake_model(wake_models)
    assert model is not None
    return model


@pytest.fixture(scope="session")
def wake_engine(wake_models: Path) -> VoiceEngine:
    return VoiceEngine(load_settings(environ={}, data_dir=wake_models))


@pytest.fixture(scope="session")
def piper_says(wake_engine: VoiceEngine):
    """`piper_says(text)`: piper's joe speaking steadily (length 1, no variation: a setting training
    held out), as 16 kHz mono 16-bit PCM."""
    from appliance.voice.audio import to_model_pcm

    @functools.cache
    def speech(text: str) -> Pcm:
        return to_model_pcm(wake_engine.tts.synthesize(text, steady=True))

    return speech


@pytest.fixture(scope="session")
def espeak_says():
    """`espeak_says(text, voice)`: Debian's espeak-ng, as 16 kHz mono 16-bit PCM."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/system-packages.sh test installs it)")
    from models.wake.speech import EspeakVoice, espeak

    def speech(text: str, voice: str, speed: int = 160, pitch: int = 50) -> Pcm:
        samples = espeak(text, EspeakVoice(voice, speed, pitch))
        return Pcm(from_float(samples * 0.5 / max(1e-6, float(np.abs(samples).max()))))

    return speech


def silence(seconds: float) -> Pcm:
    return Pcm(bytes(int(seconds * RATE) * 2))


def joined(*parts: Pcm) -> Pcm:
    return Pcm(b"".join(p.audio for p in parts))


def trimmed(pcm: Pcm) -> Pcm:
    """The speech without the quiet a synthesiser pads it with (piper: about 60 ms before, 190 after)."""
    from models.wake.speech import trim

    return Pcm(from_float(trim(to_float(pcm))))


@pytest.fixture
def wake_settings(settings: Settings, wake_models: Path) -> Settings:
    return linked_settings(settings, wake_models)


@pytest.fixture
def wake_runtime(wake_settings: Settings, wake_engine: VoiceEngine) -> Iterator[Runtime]:
    with serving_runtime(wake_settings, wake_engine) as runtime:
        yield runtime


@pytest.fixture
def wake_app(wake_runtime: Runtime) -> Iterator[TestClient]:
    """The app serving Wyoming with the wake model, signed in as the household's admin."""
    with admin_app(wake_runtime) as client:
        yield client


@pytest.fixture
def wake_uri(wake_app: TestClient, wake_runtime: Runtime) -> str:
    assert wake_runtime.wyoming is not None
    return f"tcp://127.0.0.1:{wake_runtime.wyoming.port}"
