"""Atom's replies show as formatted text, safely: the kept history and a streamed reply once done."""

from __future__ import annotations

import asyncio

from litestar.testing import TestClient

from appliance.ai import conversations
from appliance.runtime import Runtime
from tests.conftest import add_member, second_client, sign_in

REPLY = "Here you are:\n\n* **milk**\n* eggs\n\n<script>alert(1)</script> [x](javascript:alert(1))"


def _conversation_with_reply(admin: TestClient, runtime: Runtime) -> tuple[str, str]:
    me = admin.get("/api/auth/me").json()["id"]
    conversation_id = admin.post("/api/chat/conversations", json={}).json()["id"]
    asyncio.run(conversations.add_message(runtime.db, me, conversation_id, "user", "*what* do we need?"))
    _, kept = asyncio.run(conversations.add_message(runtime.db, me, conversation_id, "assistant", REPLY, "atom", "x"))
    return conversation_id, kept.id


def _assert_safe_markdown(html: str) -> None:
    assert "<li><strong>milk</strong></li>" in html and "<li>eggs</li>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_the_history_renders_atoms_markdown_and_leaves_mine_as_typed(admin: TestClient, runtime: Runtime) -> None:
    conversation_id, _ = _conversation_with_reply(admin, runtime)
    page = admin.get(f"/chat/{conversation_id}").text
    _assert_safe_markdown(page)
    assert "*what* do we need?" in page  # the member's own words are not reinterpreted


def test_a_finished_reply_is_fetched_formatted_by_its_owner_only(admin: TestClient, runtime: Runtime) -> None:
    conversation_id, message_id = _conversation_with_reply(admin, runtime)
    answer = admin.get(f"/fragments/chat-reply/{conversation_id}/{message_id}")
    assert answer.status_code == 200
    _assert_safe_markdown(answer.text)
    assert admin.get(f"/fragments/chat-reply/{conversation_id}/nope").status_code == 404
    add_member(admin, "ben")
    with second_client(runtime) as other:
        sign_in(other, "ben", "member password")
        assert other.get(f"/fragments/chat-reply/{conversation_id}/{message_id}").status_code == 404


def test_a_long_first_message_titles_the_chat_cut_at_a_word() -> None:
    said = "Could you please tell me what we need to buy for the birthday party on Saturday afternoon"
    assert conversations.title_for(said) == "Could you please tell me what we need to buy for the…"
    assert len(conversations.title_for("x" * 500)) == conversations.TITLE_CHARS  # one long word is still cut
    assert conversations.title_for("  milk\n and   eggs ") == "milk and eggs"
