"""Personal enrolment: a member's recorded "Atom"s adapt the detector to them, measured before and
after; samples are checked at the door, and nothing about one member's enrolment reaches another."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest
from litestar.testing import TestClient

from appliance.runtime import Runtime
from appliance.voice.audio import to_float, wav_bytes
from tests.conftest import add_member, second_client, sign_in
from tests.voice.satellite_fake import Device
from tests.voice.test_wyoming_endpoint import run
from tests.voice.wake.conftest import joined, silence

pytestmark = pytest.mark.timeout(240)
SAMPLES = "/api/voice/enrolment/samples"
WAV = {"Content-Type": "audio/wav"}
VOICE = "en-gb-scotland+croak"  # the member's voice: one espeak-ng voice, said a few ways


def upload(client: TestClient, body: bytes, headers: dict[str, str] = WAV):
    return client.post(SAMPLES, content=body, headers=headers)


def sample(espeak_says, speed: int = 160, pitch: int = 50) -> bytes:
    return wav_bytes(joined(silence(0.4), espeak_says("Atom", VOICE, speed, pitch), silence(0.4)))


@pytest.fixture
def member(wake_app: TestClient, wake_runtime: Runtime) -> TestClient:
    add_member(wake_app, "bea")
    return sign_in(second_client(wake_runtime), "bea", "member password")


def test_samples_train_an_adapted_detector_measured_before_and_after(wake_app: TestClient, espeak_says) -> None:
    assert wake_app.get("/api/voice/enrolment").json()["state"] == "empty"
    for speed, pitch in [(140, 40), (160, 50), (180, 60), (150, 30)]:
        response = upload(wake_app, sample(espeak_says, speed, pitch))
        assert response.status_code == 201, response.text
    status = wake_app.get("/api/voice/enrolment").json()
    assert status["samples"] == 4 and status["state"] == "collecting" and status["after"] is None
    trained = wake_app.post("/api/voice/enrolment/train")
    assert trained.status_code == 200, trained.text
    result = trained.json()
    assert result["state"] == "trained" and result["threshold"] == 0.8
    before, after = result["before"], result["after"]
    assert before["samples"] == after["samples"] == 4
    assert after["mean_score"] >= before["mean_score"] and after["detected"] >= before["detected"]
    assert after["detected"] == 4
    assert wake_app.get("/api/voice/enrolment").json() == result  # stored
    upload(wake_app, sample(espeak_says, 170, 45))
    assert wake_app.get("/api/voice/enrolment").json()["state"] == "collecting"  # a new sample: train again


def test_a_members_satellite_is_welcomed_with_their_adapted_detector(
    wake_app: TestClient, member: TestClient, wake_uri: str, espeak_says
) -> None:
    for speed in (140, 160, 180):
        assert upload(member, sample(espeak_says, speed)).status_code == 201
    assert member.post("/api/voice/enrolment/train").json()["state"] == "trained"
    paired = member.post("/api/voice/satellites", json={"name": "desk", "room": "study", "household": False})
    mine = paired.json()["token"]
    household = wake_app.post("/api/voice/satellites", json={"name": "hall", "room": "hall", "household": True})

    async def welcomes() -> tuple[dict, dict]:
        async with Device(wake_uri) as one, Device(wake_uri) as two:
            return (await one.hello(mine)).data, (await two.hello(household.json()["token"])).data

    for_member, for_household = run(welcomes())
    assert len(for_member["wake_head"]) == 65 and all(np.isfinite(for_member["wake_head"]))
    assert for_household["wake_head"] is None and for_member["wake"] is True


def test_one_members_enrolment_is_invisible_and_untouchable_to_another(
    wake_app: TestClient, member: TestClient, espeak_says
) -> None:
    for speed in (140, 160, 180):
        assert upload(wake_app, sample(espeak_says, speed)).status_code == 201
    assert member.get("/api/voice/enrolment").json()["samples"] == 0
    assert member.delete("/api/voice/enrolment").status_code == 204  # deletes only their own (nothing)
    assert wake_app.get("/api/voice/enrolment").json()["samples"] == 3
    refused = member.post("/api/voice/enrolment/train")
    assert refused.status_code == 400 and "at least 3 samples" in refused.json()["detail"]
    assert wake_app.delete("/api/voice/enrolment").status_code == 204
    assert wake_app.get("/api/voice/enrolment").json()["samples"] == 0


def _wav(samples: np.ndarray, rate: int = 16000, channels: int = 1, width: int = 2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as clip:
        clip.setnchannels(channels)
        clip.setsampwidth(width)
        clip.setframerate(rate)
        clip.writeframes(samples.tobytes())
    return out.getvalue()


def test_bad_samples_are_refused_with_a_reason(wake_app: TestClient, espeak_says) -> None:
    speech = to_float(espeak_says("Atom", VOICE))
    loud = (speech * 20000).astype("<i2")
    cases = {
        b"not a wav at all": "not a PCM WAV",
        _wav(loud[:16000], rate=44100): "16 kHz mono 16-bit",
        _wav(np.repeat(loud, 2), channels=2): "16 kHz mono 16-bit",
        _wav(np.zeros(4 * 16000, "<i2")): "must last",
        _wav(np.tile(loud, 20)[: 4 * 16000]): "must last",
        _wav(loud[:1600]): "must last",
        _wav(np.zeros(16000, "<i2")): "silent",
        _wav(loud[:8000].astype("<i4") << 16, width=4): "16 kHz mono 16-bit",
    }
    for body, reason in cases.items():
        response = upload(wake_app, body)
        assert response.status_code == 400 and reason in response.json()["detail"], (reason, response.text)
    wrong_type = upload(wake_app, sample(espeak_says), {"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    too_big = upload(wake_app, b"RIFF" + bytes(300 * 1024))
    assert too_big.status_code == 413
    assert wake_app.get("/api/voice/enrolment").json()["samples"] == 0


def test_samples_are_capped_per_member(wake_app: TestClient, espeak_says) -> None:
    body = sample(espeak_says)
    for _ in range(20):
        assert upload(wake_app, body).status_code == 201
    full = upload(wake_app, body)
    assert full.status_code == 409 and "20 samples" in full.json()["detail"]


def test_enrolment_needs_a_signed_in_member(wake_runtime: Runtime, wake_app: TestClient, espeak_says) -> None:
    stranger = second_client(wake_runtime)
    assert upload(stranger, sample(espeak_says)).status_code == 401
    assert stranger.get("/api/voice/enrolment").status_code == 401
    assert stranger.post("/api/voice/enrolment/train").status_code == 401


def test_training_without_the_wake_model_says_how_to_install_it(admin: TestClient, espeak_says) -> None:
    for speed in (140, 160, 180):
        assert upload(admin, sample(espeak_says, speed)).status_code == 201
    response = admin.post("/api/voice/enrolment/train")
    assert response.status_code == 503 and "atom models install atom-wake" in response.json()["detail"]
    assert admin.get("/api/voice/enrolment").json()["state"] == "collecting"  # nothing half-done left behind
