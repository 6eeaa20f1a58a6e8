"""Atom speaks each vendor's HTTP API itself (httpx); no vendor SDK is needed at run time."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SDKS = ("openai", "anthropic", "google.genai", "google.generativeai", "mistralai", "cohere")

# Runs in a fresh interpreter where importing any vendor SDK fails, and drives every cloud
# provider through a full request against its fake.
SCRIPT = f"""
import asyncio, sys
for sdk in {SDKS!r}:
    sys.modules[sdk] = None  # `import {{sdk}}` now raises ImportError
from appliance.ai.providers.base import ChatMessage, ChatRequest
from appliance.ai.providers.registry import create_provider
from tests.ai.helpers import config_for
from tests.fakes import FakeAnthropic, FakeAzureOpenAI, FakeDeepSeek, FakeGemini, FakeLanServer, FakeOpenAI

CASES = [("openai", FakeOpenAI, "gpt-4o-mini"), ("azure_openai", FakeAzureOpenAI, "gpt-4o-mini"),
         ("anthropic", FakeAnthropic, "claude-haiku-4-5"), ("gemini", FakeGemini, "gemini-2.5-flash"),
         ("deepseek", FakeDeepSeek, "deepseek-chat"), ("openai_compatible", FakeLanServer, "llama3.2:3b")]

async def ask(kind, fake, model):
    provider = create_provider(config_for(kind, fake))
    result = await provider.complete(ChatRequest(model=model, messages=[ChatMessage(role="user", content="Hi")]))
    await provider.aclose()
    return result.text == fake.text

async def main():
    for kind, fake_type, model in CASES:
        with fake_type() as fake:
            assert await ask(kind, fake, model), kind
    print("ok")

asyncio.run(main())
"""


def test_every_cloud_provider_works_with_the_vendor_sdks_unimportable() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_no_vendor_sdk_is_a_runtime_dependency() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {d.split(">")[0].split("=")[0].split("<")[0].strip().lower() for d in dependencies}
    assert not names & {"openai", "anthropic", "google-genai", "google-generativeai"}
    assert "httpx" in names
