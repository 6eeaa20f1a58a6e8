"""Loopback fakes of outside services, for tests only (never imported from `appliance`).

Each fake is a real HTTP server on 127.0.0.1 speaking one vendor's documented wire
format; tests point a provider's base URL at it (or, through the gateway, let it stand in
for the vendor's official address: `RunningFakes`) and flip its switches.
"""

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.chat_completions import FakeAzureOpenAI, FakeDeepSeek, FakeLanServer, FakeOpenAI
from tests.fakes.gemini_api import FakeGemini
from tests.fakes.loopback import LoopbackServer, Recorded, Reply
from tests.fakes.stand_ins import RunningFakes
from tests.fakes.vendor import VendorFake

__all__ = [
    "FakeAnthropic",
    "FakeAzureOpenAI",
    "FakeDeepSeek",
    "FakeGemini",
    "FakeLanServer",
    "FakeOpenAI",
    "LoopbackServer",
    "Recorded",
    "Reply",
    "RunningFakes",
    "VendorFake",
]
