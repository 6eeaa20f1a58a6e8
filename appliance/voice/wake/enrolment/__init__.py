"""Personal wake-word enrolment: a member records a few "Atom"s, and Atom adapts its detector.

Samples are WAV files (16 kHz, mono, 16-bit, 0.3-3 s), kept in the database and private to the
member: every query names them, and another member's enrolment does not exist for anyone else.
Training re-fits the detector's last layer (`adapt`) on a worker thread and stores it with how the
detector did on the samples before and after. Satellites paired to the member use the adapted
layer (`member_head`).
"""

from __future__ import annotations

import asyncio
import io
import uuid
import wave

import numpy as np

from appliance import clock
from appliance.errors import Conflict, InvalidInput, ModelMissing
from appliance.storage import Database
from appliance.voice.audio import RATE
from appliance.voice.wake.detector import threshold_for
from appliance.voice.wake.enrolment import queries
from appliance.voice.wake.enrolment.adapt import Adapted, adapt, head_bytes, head_from_bytes
from appliance.voice.wake.enrolment.shapes import Enrolment, EnrolmentState, Measure, SampleAdded
from appliance.voice.wake.model import Head, WakeModel

__all__ = [
    "Enrolment",
    "Measure",
    "SampleAdded",
    "add_sample",
    "enrolment_status",
    "train_enrolment",
    "forget_enrolment",
    "member_head",
    "parse_sample",
    "MIN_SAMPLES",
    "MAX_SAMPLES",
    "MAX_SAMPLE_SECONDS",
]

MIN_SAMPLES, MAX_SAMPLES = 3, 20
MAX_SAMPLE_SECONDS, MIN_SAMPLE_SECONDS = 3.0, 0.3
_SILENT = 200  # peak below this (of 32767) is no speech at all


def parse_sample(body: bytes) -> bytes:
    """The PCM inside a WAV sample, or a 400 saying what is wrong with it."""
    try:
        with wave.open(io.BytesIO(body), "rb") as clip:
            shape = (clip.getframerate(), clip.getnchannels(), clip.getsampwidth(), clip.getcomptype())
            frames = clip.getnframes()
            audio = clip.readframes(frames) if shape == (RATE, 1, 2, "NONE") else b""
    except (wave.Error, EOFError) as exc:
        raise InvalidInput(f"the sample is not a PCM WAV file: {exc}") from None
    if shape != (RATE, 1, 2, "NONE"):
        rate, channels, width, _ = shape
        raise InvalidInput(
            f"a sample must be 16 kHz mono 16-bit PCM WAV, not {rate} Hz, {channels} ch, {8 * width}-bit"
        )
    seconds = len(audio) / 2 / RATE
    if not MIN_SAMPLE_SECONDS <= seconds <= MAX_SAMPLE_SECONDS or len(audio) != frames * 2:
        raise InvalidInput(f"a sample must last {MIN_SAMPLE_SECONDS}-{MAX_SAMPLE_SECONDS:g} s, not {seconds:.2f} s")
    if np.abs(np.frombuffer(audio, "<i2").astype(np.int32)).max() < _SILENT:
        raise InvalidInput("the sample is silent: say 'Atom' closer to the microphone")
    return audio


async def add_sample(db: Database, user_id: str, body: bytes) -> SampleAdded:
    audio = parse_sample(body)
    sample_id = uuid.uuid4().hex
    count = await db.write(queries.add_sample, sample_id, user_id, audio, clock.now(), MAX_SAMPLES)
    if count is None:
        raise Conflict(f"you have {MAX_SAMPLES} samples already: train, or start again (DELETE)")
    return SampleAdded(id=sample_id, seconds=len(audio) / 2 / RATE, samples=count)


async def enrolment_status(db: Database, user_id: str) -> Enrolment:
    count = await db.read(queries.count_samples, user_id)
    row = await db.read(queries.enrolment, user_id)
    if row is None:
        return Enrolment(samples=count, min_samples=MIN_SAMPLES, max_samples=MAX_SAMPLES, state=_collecting(count))
    state, trained_on, _head, threshold, before_hits, after_hits, before_score, after_score, detail, at = row
    if state == "trained" and trained_on != count:
        state = "collecting"  # samples changed since: the adapted layer still works, training again uses them
    before = None if before_hits is None else Measure(detected=before_hits, samples=trained_on, mean_score=before_score)
    after = None if after_hits is None else Measure(detected=after_hits, samples=trained_on, mean_score=after_score)
    return Enrolment(
        samples=count,
        min_samples=MIN_SAMPLES,
        max_samples=MAX_SAMPLES,
        state=state,
        threshold=threshold,
        before=before,
        after=after,
        detail=detail,
        trained_at=at,
    )


def _collecting(count: int) -> EnrolmentState:
    return "collecting" if count else "empty"


async def train_enrolment(db: Database, user_id: str, model: WakeModel | None, sensitivity: float) -> Enrolment:
    """Adapt the detector to the member's samples; the measures before and after are stored with it."""
    if model is None:
        raise ModelMissing("the wake-word model is not installed: run `atom models install atom-wake wake-features`")
    audio = await db.read(queries.samples, user_id)
    if len(audio) < MIN_SAMPLES:
        raise InvalidInput(f"record at least {MIN_SAMPLES} samples first (you have {len(audio)})")
    if not await db.write(queries.start_training, user_id, clock.now()):
        raise Conflict("your enrolment is already training")
    threshold = threshold_for(sensitivity)
    try:
        samples = [np.frombuffer(a, "<i2").astype(np.float32) for a in audio]
        adapted = await asyncio.to_thread(adapt, model, samples, threshold)
    except Exception as exc:
        await db.write(queries.save_result, user_id, {"state": "failed", "detail": str(exc)[:200]}, clock.now())
        raise
    await db.write(queries.save_result, user_id, _result(adapted, threshold), clock.now())
    return await enrolment_status(db, user_id)


def _result(adapted: Adapted, threshold: float) -> dict[str, object]:
    return {
        "state": "trained",
        "head": head_bytes(adapted.head),
        "threshold": threshold,
        "before_detected": sum(s >= threshold for s in adapted.before),
        "after_detected": sum(s >= threshold for s in adapted.after),
        "before_score": float(np.mean(adapted.before)),
        "after_score": float(np.mean(adapted.after)),
        "detail": None,
    }


async def forget_enrolment(db: Database, user_id: str) -> None:
    await db.write(queries.forget, user_id)


async def member_head(db: Database, user_id: str) -> Head | None:
    """The member's adapted last layer, when they have trained one."""
    data = await db.read(queries.head, user_id)
    return None if data is None else head_from_bytes(data)
