"""Questions answered from the member's own knowledge, with citations; "I don't know" otherwise."""

from __future__ import annotations

import time

from litestar.testing import TestClient

from appliance.knowledge.ask import DONT_KNOW
from appliance.runtime import Runtime
from tests.fakes import FakeOpenAI


def _wait_embedded(runtime: Runtime) -> None:
    import asyncio

    assert asyncio.run(runtime.knowledge.wait_until_embedded(30))


def _use_openai(client: TestClient, fake: FakeOpenAI) -> None:
    key = client.post("/api/ai/keys", json={"provider": "openai", "api_key": fake.key, "default_model": "gpt-4o-mini"})
    assert key.status_code == 201, key.text
    prefs = client.put("/api/ai/preferences", json={"policy": "fixed", "fixed_key": key.json()["id"]})
    assert prefs.status_code == 200, prefs.text


def test_a_question_is_answered_from_the_members_notes_with_citations(
    ask_admin: TestClient, meaning_runtime: Runtime
) -> None:
    bins = ask_admin.post(
        "/api/notes", json={"title": "Bins", "body": "The green recycling bin goes out on Thursday night."}
    )
    ask_admin.post("/api/notes", json={"title": "Pancakes", "body": "Whisk flour, milk and two eggs."})
    _wait_embedded(meaning_runtime)
    with FakeOpenAI() as fake:
        _use_openai(ask_admin, fake)
        answer = ask_admin.post("/api/ask", json={"question": "Which day does the recycling go out?"})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["answered_by"] == "openai/gpt-4o-mini"
        assert body["citations"][0]["id"] == bins.json()["id"] and body["citations"][0]["number"] == 1
        assert all(c["title"] != "Pancakes" for c in body["citations"])  # not about the question: not a source
        sent = fake.last.body["messages"]
        assert "Thursday night" in sent[-1]["content"] and "[1] Bins" in sent[-1]["content"]
        assert "only the numbered sources" in sent[0]["content"]
        assert body["answer"] == fake.text


def test_nothing_relevant_means_i_dont_know_without_asking_a_model(
    ask_admin: TestClient, meaning_runtime: Runtime
) -> None:
    ask_admin.post("/api/notes", json={"title": "Pancakes", "body": "Whisk flour, milk and two eggs."})
    _wait_embedded(meaning_runtime)
    with FakeOpenAI() as fake:
        _use_openai(ask_admin, fake)
        answer = ask_admin.post("/api/ask", json={"question": "What is the registration number of our car?"}).json()
        assert answer == {"answer": DONT_KNOW, "citations": [], "answered_by": None}
        assert fake.requests == [] or all("/chat/completions" not in r.path for r in fake.requests)


def test_ask_never_cites_another_members_private_note(ask_admin: TestClient, meaning_runtime: Runtime) -> None:
    from tests.conftest import add_member, second_client, sign_in

    add_member(ask_admin, "robin")
    with second_client(meaning_runtime) as robin:
        sign_in(robin, "robin", "member password")
        robin.post("/api/notes", json={"title": "Safe", "body": "The safe combination is 4-8-15."})
    _wait_embedded(meaning_runtime)
    started = time.monotonic()
    answer = ask_admin.post("/api/ask", json={"question": "What is the safe combination?"}).json()
    assert answer["citations"] == [] and answer["answer"] == DONT_KNOW
    assert time.monotonic() - started < 5


def test_a_cited_record_from_a_connection_links_to_it_in_the_answer_and_the_chat(
    ask_admin: TestClient, meaning_runtime: Runtime
) -> None:
    from appliance.connectors.base import RemoteRecord
    from appliance.connectors.records import write_record

    me = ask_admin.get("/api/auth/me").json()["id"]
    text = "The boiler is serviced every September by Heat and Co."
    records = [("Boiler [manual]", "https://www.notion.so/Boiler-(2024) x"), ("Boiler log", "javascript:alert(1)")]
    for n, (title, url) in enumerate(records):
        item = RemoteRecord(remote_id=f"r{n}", title=title, text=text, url=url)
        runtime = meaning_runtime
        ask_admin.blocking_portal.call(write_record, runtime.db, runtime.knowledge, me, "notion", None, item)
    _wait_embedded(meaning_runtime)
    with FakeOpenAI() as fake:
        _use_openai(ask_admin, fake)
        answer = ask_admin.post("/api/ask", json={"question": "When is the boiler serviced?"}).json()
        links = {c["title"]: c["url"] for c in answer["citations"]}
        assert links == {"Boiler [manual]": "https://www.notion.so/Boiler-(2024) x", "Boiler log": None}

        said = ask_admin.post("/api/assist", json={"text": "ask my notes when is the boiler serviced"})
        assert said.status_code == 200, said.text
        reply = said.json()["reply"]
        assert "[Boiler  manual](https://www.notion.so/Boiler-%282024%29%20x)" in reply, reply
        assert "javascript" not in reply and "] Boiler log" in reply
        page = ask_admin.get(f"/chat/{said.json()['conversation_id']}").text
        assert 'href="https://www.notion.so/Boiler-%282024%29%20x"' in page
