"""Never swap silently: when the chosen provider fails and another answers, the reply says so."""

from __future__ import annotations

import msgspec
from litestar.testing import TestClient

from tests.fakes import FakeAnthropic, FakeOpenAI


def _key(client: TestClient, fake, provider: str, model: str) -> str:  # type: ignore[no-untyped-def]
    response = client.post("/api/ai/keys", json={"provider": provider, "api_key": fake.key, "default_model": model})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _events(stream: str) -> list[tuple[str, dict]]:
    found = []
    for block in stream.strip().split("\n\n"):
        kind, data = block.split("\n", 1)
        found.append((kind.removeprefix("event: "), msgspec.json.decode(data.removeprefix("data: "))))
    return found


def test_a_fallback_answer_says_which_provider_failed(ai_admin: TestClient) -> None:
    with FakeOpenAI() as openai, FakeAnthropic() as anthropic:
        first = _key(ai_admin, openai, "openai", "gpt-4o-mini")
        second = _key(ai_admin, anthropic, "anthropic", "claude-haiku-4-5")
        prefs = {"policy": "fixed", "fixed_key": first, "fallbacks": [second]}
        assert ai_admin.put("/api/ai/preferences", json=prefs).status_code == 200
        conversation = ai_admin.post("/api/chat/conversations", json={}).json()["id"]
        openai.fail(429, retry_after="30")
        sent = ai_admin.post(
            f"/api/chat/conversations/{conversation}/messages", json={"content": "tell me a joke", "model": "auto"}
        )
        events = _events(sent.text)
        notes = [data["fallback"] for kind, data in events if kind == "chunk" and data.get("fallback")]
        assert (
            notes
            and notes[0].startswith("OpenAI could not answer (")
            and notes[0].endswith("Answered by Anthropic instead.")
        )
        assert events[-1][0] == "done"
        usage = ai_admin.get("/settings/usage").text
        rows = usage.split("data-requests-table", 1)[1].split("</table>", 1)[0].split("<tr")[2:]
        assert "data-failed" in rows[-1] and "OpenAI gpt-4o-mini" in rows[-1] and ">Failed</span>" in rows[-1]
        assert "Anthropic claude-haiku-4-5" in rows[-2] and ">Answered</span>" in rows[-2]
        openai.fail(429, retry_after="30")
        named = ai_admin.post(
            f"/api/chat/conversations/{conversation}/messages",
            json={"content": "tell me another", "model": "anthropic/claude-haiku-4-5"},
        )
        assert not any(data.get("fallback") for kind, data in _events(named.text) if kind == "chunk")  # nothing failed
        kept = ai_admin.get(f"/api/chat/conversations/{conversation}").json()["messages"]
        assert [m["fallback"] for m in kept] == [None, notes[0], None, None]  # kept with its answer only
        page = ai_admin.get(f"/chat/{conversation}").text  # a reload still says who answered and why
        assert page.count("data-message-note>") == 1 and "Answered by Anthropic instead." in page


def test_naming_a_model_that_fails_says_so_too(ai_admin: TestClient) -> None:
    with FakeOpenAI() as openai, FakeAnthropic() as anthropic:
        first = _key(ai_admin, openai, "openai", "gpt-4o-mini")
        second = _key(ai_admin, anthropic, "anthropic", "claude-haiku-4-5")
        prefs = {"policy": "fixed", "fixed_key": first, "fallbacks": [second]}
        assert ai_admin.put("/api/ai/preferences", json=prefs).status_code == 200
        conversation = ai_admin.post("/api/chat/conversations", json={}).json()["id"]
        openai.fail(500, times=5)
        sent = ai_admin.post(
            f"/api/chat/conversations/{conversation}/messages",
            json={"content": "tell me a joke", "model": "openai/gpt-4o-mini"},
        )
        chunks = [data for kind, data in _events(sent.text) if kind == "chunk"]
        assert chunks[0]["model"] == "anthropic/claude-haiku-4-5", sent.text  # the fallback chain still applies
        assert chunks[0]["fallback"].startswith("OpenAI could not answer")
        assert all(not c["fallback"] for c in chunks[1:])  # said once
        kept = ai_admin.get(f"/api/chat/conversations/{conversation}").json()["messages"]
        assert kept[-1]["fallback"] == chunks[0]["fallback"]  # the plain chat path keeps it too


def test_ask_atom_says_a_fallback_answered_and_keeps_it(ai_admin: TestClient) -> None:
    """/api/assist (the home page's Ask box) is not streamed, so the note comes with the answer."""
    with FakeOpenAI() as openai, FakeAnthropic() as anthropic:
        first = _key(ai_admin, openai, "openai", "gpt-4o-mini")
        second = _key(ai_admin, anthropic, "anthropic", "claude-haiku-4-5")
        prefs = {"policy": "fixed", "fixed_key": first, "fallbacks": [second]}
        assert ai_admin.put("/api/ai/preferences", json=prefs).status_code == 200
        openai.fail(500, times=5)
        answer = ai_admin.post("/api/assist", json={"text": "tell me a joke"})
        assert answer.status_code == 200, answer.text
        note = answer.json()["fallback"]
        assert note.startswith("OpenAI could not answer (") and note.endswith("Answered by Anthropic instead.")
        assert answer.json()["reply"] and anthropic.requests  # Anthropic's words, not an error
        kept = ai_admin.get(f"/api/chat/conversations/{answer.json()['conversation_id']}").json()["messages"]
        assert [(m["role"], m["fallback"]) for m in kept] == [("user", None), ("assistant", note)]
        calm = ai_admin.post("/api/assist", json={"text": "tell me another"}).json()
        assert calm["fallback"] is None  # OpenAI answers again: nothing to say
