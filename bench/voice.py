"""Voice: speech-to-text speed against faster-whisper called directly, end of speech → action, RSS.

1. STT real-time factor: the same clips (piper's steady speech, 16 kHz) through Atom's recogniser
   (`VoiceEngine.transcribe`: format conversion, prompt, a worker thread) and through faster-whisper
   called directly with the same options; rounds interleaved, medians compared (target ≥ 0.95×).
2. End of speech → action for matched commands, through a paired satellite over Wyoming on
   loopback, the audio streamed in real time: the endpointer's wait, recognition, the action, and
   the first reply audio, each measured from the moment the last word ended (target ≤ 1.5 s).
3. The whole `atom serve` process's RSS at idle and after its voice models have loaded.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from litestar.testing import TestClient
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.event import Event

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache
from appliance.runtime import open_runtime
from appliance.server import create_app
from appliance.settings import load_settings
from appliance.voice import VoiceEngine
from appliance.voice.audio import RATE, Pcm, to_float, to_model_pcm
from appliance.voice.stt import options
from bench._servers import atom_server, first_admin, free_port, rss_mib

VOICE_MODELS = ("whisper-tiny-en", "piper-joe", "wake-features")
CLIPS = [
    "Atom, add oat milk to the shopping list.",
    "Atom, set a timer for ten minutes.",
    "Atom, what time is it?",
    "Atom, add bread to the shopping list.",
    "Atom, what's on the shopping list?",
]
WORDS = ["bench", "chores", "shopping"]
ROUNDS = 3
STT_ROUNDS = 6
_CHUNK = 2048  # 64 ms


def _install(data: Path, names: tuple[str, ...] = VOICE_MODELS) -> None:
    for name in names:
        install_model(data, load_manifest().get(name), model_cache())


# --- 1. recognition speed -------------------------------------------------------------------


def _stt_speed(engine: VoiceEngine, clips: list[Pcm]) -> tuple[float, float]:
    """Real-time factors (audio seconds per second), each clip timed both ways back to back."""
    engine.stt.load()
    model = engine.stt._model  # the very model Atom loaded: only the path around it differs

    def direct(clip: Pcm) -> None:
        segments, _ = model.transcribe(to_float(clip), **options(WORDS))
        " ".join(s.text for s in segments)

    async def both() -> tuple[list[float], list[float]]:
        plain: list[float] = []
        atom: list[float] = []
        for round_ in range(STT_ROUNDS):
            for clip in clips:
                for way in ("direct", "atom") if round_ % 2 == 0 else ("atom", "direct"):  # no order bias
                    started = time.perf_counter()
                    if way == "direct":
                        direct(clip)
                    else:
                        await engine.transcribe(clip, WORDS)
                    (plain if way == "direct" else atom).append(clip.seconds / (time.perf_counter() - started))
        return plain, atom

    plain, atom = asyncio.run(both())
    return statistics.median(plain), statistics.median(atom)


# --- 2. end of speech to action ---------------------------------------------------------------


async def _command(client: AsyncTcpClient, clip: Pcm) -> dict[str, float]:
    """Stream `clip` and 1.5 s of quiet in real time; times in ms from the end of the last word."""
    samples = to_float(clip)
    last_word = int(np.nonzero(np.abs(samples) > 0.02)[0][-1]) * 2
    audio = clip.audio + bytes(int(1.5 * RATE) * 2)
    await client.write_event(Event(type="atom-listen", data={"reason": "push-to-talk"}))
    await client.write_event(AudioStart(rate=RATE, width=2, channels=1).event())
    reader = asyncio.create_task(_answer(client))
    start, ended_at = time.perf_counter(), 0.0
    for at in range(0, len(audio), _CHUNK):
        await asyncio.sleep(max(0.0, start + at / 2 / RATE - time.perf_counter()))
        await client.write_event(AudioChunk(rate=RATE, width=2, channels=1, audio=audio[at : at + _CHUNK]).event())
        if not ended_at and at + _CHUNK >= last_word:
            ended_at = start + last_word / 2 / RATE
        if reader.done():
            break
    await client.write_event(AudioStop().event())
    stopped_at, timings = await reader
    endpoint = (stopped_at - ended_at) * 1000
    return {"endpoint": endpoint, **{k: endpoint + v for k, v in timings.items()}}


async def _answer(client: AsyncTcpClient) -> tuple[float, dict[str, float]]:
    stopped_at, timings = 0.0, {}
    while (event := await client.read_event()) is not None:
        if event.type == "voice-stopped":
            stopped_at = time.perf_counter()
        elif event.type == "atom-reply":
            timings = dict(event.data["timings"])
        elif event.type == "audio-stop":  # the reply played out: the next command may start
            return stopped_at, timings
        elif event.type in ("atom-idle", "error"):
            raise RuntimeError(f"no reply: {event}")
    raise RuntimeError("the connection closed")


async def _commands(port: int, token: str, clips: list[Pcm]) -> list[dict[str, float]]:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Event(type="atom-hello", data={"token": token}))
        await client.read_event()
        await _command(client, clips[0])  # warm-up: the first command loads the models
        return [await _command(client, clip) for _ in range(ROUNDS) for clip in clips]


def _end_to_action(engine: VoiceEngine, data: Path, clips: list[Pcm]) -> list[dict[str, float]]:
    server = {"allowed_hosts": ["testserver.local"]}  # the in-process client's name
    settings = load_settings(environ={}, data_dir=data, log={"level": "WARNING"}, server=server)
    runtime = open_runtime(settings)
    runtime.voice = engine
    listener = socket.create_server(("127.0.0.1", 0))
    runtime.wyoming_listener = listener
    try:
        with TestClient(app=create_app(runtime, close_runtime=False)) as http:
            csrf = http.post("/api/setup", json={**first_admin(data), "username": "bench"}).json()["csrf_token"]
            http.headers["X-CSRF-Token"] = csrf
            token = http.post("/api/voice/satellites", json={"name": "bench", "room": "kitchen"}).json()["token"]
            port = listener.getsockname()[1]
            return asyncio.run(_commands(port, token, clips))
    finally:
        runtime.close()


# --- 3. memory --------------------------------------------------------------------------------


async def _load_voice(port: int) -> None:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Event(type="transcribe", data={}))
        await client.write_event(AudioStart(rate=RATE, width=2, channels=1).event())
        await client.write_event(AudioChunk(rate=RATE, width=2, channels=1, audio=bytes(RATE)).event())
        await client.write_event(AudioStop().event())
        while (event := await client.read_event()) is not None and event.type != "transcript":
            pass
        await client.write_event(Event(type="synthesize", data={"text": "Hello."}))
        while (event := await client.read_event()) is not None and event.type != "audio-stop":
            pass


def _memory() -> tuple[float, float]:
    port = free_port()
    env = {"ATOM_VOICE_WYOMING_PORT": str(port), "ATOM_VOICE_ALLOWED_ADDRESSES": "127.0.0.1"}
    defaults = tuple(name for name, spec in load_manifest().models.items() if spec.default)
    with atom_server(env=env, prepare=lambda data: _install(data, defaults)) as (_, pid, _data):
        time.sleep(2)
        idle = rss_mib(pid)
        asyncio.run(_load_voice(port))
        time.sleep(1)
        return idle, rss_mib(pid)


def _line(name: str, values: list[float], note: str = "") -> str:
    return f"     {name:<12} p50 {statistics.median(values):7.0f} ms   max {max(values):7.0f} ms{note}"


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        _install(data)
        engine = VoiceEngine(load_settings(environ={}, data_dir=data))
        clips = [to_model_pcm(engine.tts.synthesize(text, steady=True)) for text in CLIPS]
        direct, atom = _stt_speed(engine, clips)
        print(f"   STT ({engine.stt.name}, {os.cpu_count()} cores), {len(clips)} commands x {STT_ROUNDS} rounds:")
        print(f"     faster-whisper direct  {direct:5.2f}x real time")
        print(f"     Atom's recogniser      {atom:5.2f}x real time   ({atom / direct:.2f} of direct; target >= 0.95)")
        stages = _end_to_action(engine, data, clips)
    print(f"   end of speech -> action, {len(stages)} matched commands over Wyoming (from the last word):")
    for name in ("endpoint", "stt", "action", "first_audio"):
        print(_line(name, [s[name] for s in stages], "   (target <= 1500 ms, goal 800)" if name == "action" else ""))
    idle, loaded = _memory()
    print(f"   atom serve RSS idle (default models installed): {idle:6.1f} MiB")
    print(f"   atom serve RSS with voice loaded:                {loaded:6.1f} MiB")
