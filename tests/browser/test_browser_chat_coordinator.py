"""The chat coordinator in a real browser: a command typed in the chat changes the household's
data, another member's open page shows it without a reload, and the reply links to it."""

from __future__ import annotations

from collections.abc import Callable

from atom_browser import ADMIN, MEMBER, assert_accessible, screenshot, wait_live
from playwright.sync_api import Page, expect


def test_a_chat_command_changes_the_list_on_another_members_open_page(signed_in: Callable[..., Page]) -> None:
    robin = signed_in(MEMBER)
    robin.goto("/tasks")
    wait_live(robin)
    alex = signed_in(ADMIN)
    alex.goto("/chat")
    wait_live(alex)
    expect(alex.get_by_role("button", name="Send")).to_be_enabled()
    alex.get_by_label("Message", exact=True).fill("add oat milk to the shopping list")
    alex.get_by_role("button", name="Send").click()
    thread = alex.get_by_role("log", name="Messages")
    expect(thread).to_contain_text("Added oat milk to Shopping.")
    expect(robin.get_by_text("oat milk", exact=False).first).to_be_visible()  # live: robin never reloaded
    items = alex.request.get("/api/lists/shopping/items").json()
    assert "oat milk" in [item["text"] for item in items]  # in the database
    screenshot(alex, "chat-command", docs=True)
    assert_accessible(alex, "chat-command")
    thread.get_by_role("link", name="Show me").click()
    expect(alex).to_have_url("/tasks#list-shopping")
    expect(alex.get_by_text("oat milk", exact=False).first).to_be_visible()


def test_deleting_from_the_chat_asks_first(signed_in: Callable[..., Page]) -> None:
    alex = signed_in(ADMIN)
    alex.goto("/chat")
    expect(alex.get_by_role("button", name="Send")).to_be_enabled()
    box = alex.get_by_label("Message", exact=True)
    box.fill("add rye bread to the shopping list")
    box.press("Enter")
    thread = alex.get_by_role("log", name="Messages")
    expect(thread).to_contain_text("Added rye bread")
    box.fill("remove rye bread from the shopping list")
    box.press("Enter")
    expect(thread).to_contain_text("Shall I remove rye bread")
    assert "rye bread" in [i["text"] for i in alex.request.get("/api/lists/shopping/items").json()]
    box.fill("yes")
    box.press("Enter")
    expect(thread).to_contain_text("Removed rye bread from Shopping.")
    assert "rye bread" not in [i["text"] for i in alex.request.get("/api/lists/shopping/items").json()]


def test_a_timer_set_in_the_chat_rings_on_the_page_that_is_open(signed_in: Callable[..., Page]) -> None:
    alex = signed_in(ADMIN)
    notes = signed_in(ADMIN)
    notes.goto("/notes")
    wait_live(notes)
    alex.goto("/chat")
    expect(alex.get_by_role("button", name="Send")).to_be_enabled()
    box = alex.get_by_label("Message", exact=True)
    box.fill("set an egg timer for 2 seconds")
    box.press("Enter")
    expect(alex.get_by_role("log", name="Messages")).to_contain_text("Timer for egg set for 2 seconds.")
    expect(notes.get_by_role("alert").filter(has_text="The egg timer is done")).to_be_visible(timeout=10_000)
