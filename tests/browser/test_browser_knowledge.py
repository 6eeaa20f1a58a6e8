"""Notes, documents and search in a real browser: results as you type, live across tabs, keyboard,
uploads (by the form and by a drop), the server's own words for a file it refuses, and privacy.

One Atom serves the module (uploads limited to 1 MiB so an oversized file is cheap to make); the
embedding model is not installed, so search is by keyword and the page says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from atom_browser import (
    ADMIN,
    ARTIFACTS,
    MEMBER,
    PHONE,
    AtomServer,
    assert_accessible,
    atom_server,
    screenshot,
    wait_live,
)
from playwright.sync_api import Locator, Page, Route, expect


@pytest.fixture(scope="module")
def atom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AtomServer]:
    ARTIFACTS.mkdir(exist_ok=True)
    server = atom_server(tmp_path_factory.mktemp("atom-data"), ARTIFACTS / "server-test_browser_knowledge.log")
    server.extra_env["ATOM_KNOWLEDGE_UPLOAD_MAX_MB"] = "1"
    server.start()
    yield server
    server.stop()


def api_note(page: Page, title: str, body: str, shared: bool = False) -> str:
    """A note made through the API as the page's member (the page holds their CSRF token)."""
    if not page.url.startswith("http"):
        page.goto("/notes")
    token = page.locator("input[name=csrf_token]").first.input_value()
    response = page.request.post(
        "/api/notes", data={"title": title, "body": body, "shared": shared}, headers={"X-CSRF-Token": token}
    )
    assert response.status == 201, response.text()
    return response.json()["id"]


def open_documents(page: Page) -> None:
    page.goto("/documents")
    wait_live(page)
    expect(page.get_by_role("button", name="Upload")).to_be_enabled()  # documents.js is ready


def open_search(page: Page) -> Locator:
    page.goto("/search")
    wait_live(page)
    box = page.get_by_role("searchbox", name="Search or ask a question")
    expect(box).to_be_focused()  # search.js is ready
    return box


def status(page: Page) -> Locator:
    """The search's own status line (the header holds the live channel's)."""
    return page.locator("[data-search-status]")


def results(page: Page) -> Locator:
    return page.get_by_role("list", name="Results").get_by_role("listitem")


def test_a_note_saved_in_one_tab_is_found_from_another(signed_in: Callable[..., Page]) -> None:
    searching = signed_in(ADMIN)
    box = open_search(searching)
    box.fill("zephyrine")
    expect(status(searching)).to_have_text("Nothing found for “zephyrine”.")

    writing = searching.context.new_page()
    writing.goto("/notes")
    form = writing.locator("form[data-new-note]")
    form.get_by_label("Title").fill("Garden plans")
    form.get_by_label("Note").fill("Plant the **zephyrine** roses by the south fence.")
    form.get_by_role("button", name="Save note").click()
    expect(form.get_by_role("alert")).to_have_text("Note saved.")
    expect(writing.locator("[data-my-notes]").get_by_role("link", name="Garden plans")).to_be_visible()

    found = results(searching)
    expect(found).to_have_count(1)  # the first tab searched again when the note was saved
    expect(status(searching)).to_have_text("1 result for “zephyrine”.")
    expect(found.first.locator("mark")).to_have_text("zephyrine")
    expect(found.first).to_contain_text("Note · Written here · private")
    expect(searching).to_have_url(re.compile(r"/search\?q=zephyrine$"))
    screenshot(searching, "search-live")
    found.first.get_by_role("link", name="Garden plans").click()
    expect(searching.get_by_role("heading", level=1)).to_have_text("Garden plans")
    expect(searching.locator(".markdown strong")).to_have_text("zephyrine")


def test_results_are_keyboard_friendly_and_filter_by_chips(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    ids = [api_note(page, f"Quokka {n}", f"The quokka count, day {n}.") for n in (1, 2, 3)]
    box = open_search(page)
    page.get_by_role("heading", name="Search", level=1).click()
    expect(box).not_to_be_focused()
    page.keyboard.press("/")  # from anywhere on the page, / comes back to the box
    expect(box).to_be_focused()
    expect(box).to_have_value("")
    box.press_sequentially("quok")
    expect(results(page)).to_have_count(3)
    links = page.get_by_role("list", name="Results").get_by_role("link")

    box.press("ArrowDown")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # stays on the last
    expect(links.nth(2)).to_be_focused()
    page.keyboard.press("Home")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(box).to_be_focused()
    box.press("ArrowDown")
    page.keyboard.press("End")
    expect(links.nth(2)).to_be_focused()
    page.keyboard.press("Escape")
    expect(box).to_be_focused()
    screenshot(page, "search-results")
    assert_accessible(page, "search-results")

    box.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = links.nth(1).get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(second or "?") + "$"))
    assert second and second.rsplit("/", 1)[-1] in ids
    page.go_back()
    expect(box).to_have_value("quok")  # the address kept the query
    expect(results(page)).to_have_count(3)

    notes_chip = page.get_by_role("group", name="Kind").get_by_role("button", name=re.compile("^Notes"))
    expect(notes_chip).to_have_text("Notes 3")
    expect(notes_chip).to_have_attribute("aria-pressed", "false")
    notes_chip.click()
    expect(notes_chip).to_have_attribute("aria-pressed", "true")
    expect(status(page)).to_have_text("3 results for “quok” with these filters.")
    page.get_by_label("Only mine").check()
    expect(results(page)).to_have_count(3)


def test_a_txt_is_uploaded_found_downloaded_and_deleted(signed_in: Callable[..., Page], tmp_path: Path) -> None:
    page = signed_in(ADMIN)
    open_documents(page)
    manual = tmp_path / "boiler-manual.txt"
    manual.write_text("Boiler manual\n\nTop up the pressure to 1.5 bar with the filling loop under the boiler.")
    page.get_by_label("File").set_input_files(manual)
    page.get_by_label("Share with the household").check()
    page.get_by_role("button", name="Upload").click()
    log = page.get_by_role("list", name="Uploads")
    expect(log).to_contain_text("Uploaded boiler-manual.txt as “boiler-manual”.")
    listed = page.locator("[data-documents-list] .document-item")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text("Shared")
    screenshot(page, "documents")
    assert_accessible(page, "documents")

    with page.expect_download() as download:
        listed.first.get_by_role("link", name="Download boiler-manual").click()
    assert download.value.suggested_filename == "boiler-manual.txt"
    assert Path(download.value.path()).read_text() == manual.read_text()

    box = open_search(page)
    box.fill("filling loop")
    hit = results(page).first
    expect(hit).to_contain_text("Document · Uploaded · shared")
    expect(hit.locator("mark").first).to_have_text("filling")
    box.press("ArrowDown")
    page.keyboard.press("Enter")  # a document opens its details, with the download
    expect(page.get_by_role("heading", level=1)).to_have_text("boiler-manual")
    expect(page.get_by_role("link", name="Download boiler-manual.txt")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(re.compile(r"/documents$"))
    expect(page.get_by_text("No documents yet.")).to_be_visible()


def test_a_dropped_file_is_uploaded(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    open_documents(page)
    transfer = page.evaluate_handle(
        """() => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["Recipe: lemon drizzle cake."], "cake.md", { type: "text/markdown" }));
            return transfer;
        }"""
    )
    page.dispatch_event("main", "dragenter", {"dataTransfer": transfer})
    expect(page.get_by_text("Drop files to upload them")).to_be_visible()
    page.dispatch_event("main", "drop", {"dataTransfer": transfer})
    expect(page.get_by_text("Drop files to upload them")).to_be_hidden()
    expect(page.get_by_role("list", name="Uploads")).to_contain_text("Uploaded cake.md")
    expect(page.locator("[data-documents-list]").get_by_role("link", name="cake", exact=True)).to_be_visible()


def test_a_bad_or_oversized_file_shows_why(signed_in: Callable[..., Page], tmp_path: Path) -> None:
    page = signed_in(MEMBER)
    open_documents(page)
    log = page.get_by_role("list", name="Uploads")
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ\x90\x00not a document")
    page.get_by_label("File").set_input_files(program)
    page.get_by_role("button", name="Upload").click()
    expect(log.get_by_role("alert")).to_have_text(
        "setup.exe was not uploaded: Atom cannot read .exe; it reads .txt, .md, .markdown, .html, .htm, .pdf, "
        ".docx, .eml, .ics."
    )
    broken = tmp_path / "scan.pdf"
    broken.write_bytes(b"%PDF-1.7 this is not really a PDF")
    page.get_by_label("File").set_input_files(broken)
    page.get_by_role("button", name="Upload").click()
    expect(log.get_by_role("alert").first).to_contain_text("scan.pdf was not uploaded: This PDF file could not be read")
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"words " * 200_000)  # 1.2 MB over this Atom's 1 MiB
    page.get_by_label("File").set_input_files(huge)
    page.get_by_role("button", name="Upload").click()
    expect(log.get_by_role("alert").first).to_have_text(
        "huge.txt was not uploaded: The file is larger than the 1 MiB Atom accepts."
    )
    expect(page.get_by_text("No documents yet.")).to_be_visible()
    screenshot(page, "documents-refused")
    assert_accessible(page, "documents-refused")


def test_a_member_never_sees_another_members_private_note(signed_in: Callable[..., Page]) -> None:
    robin = signed_in(MEMBER)
    secret = api_note(robin, "Birthday", "Surprise kumquat cake for Alex.")
    shared = api_note(robin, "Shopping", "Kumquat marmalade and bread.", shared=True)
    alex = signed_in(ADMIN)
    box = open_search(alex)
    box.fill("kumquat")
    expect(results(alex)).to_have_count(1)
    expect(results(alex).first).to_contain_text("Shopping")
    expect(alex.get_by_role("list", name="Results")).not_to_contain_text("Surprise")

    alex.goto("/notes")
    household = alex.locator("[data-household-notes]")
    expect(household.get_by_role("link", name="Shopping")).to_be_visible()
    expect(household).to_contain_text("By Robin")
    expect(alex.locator("main")).not_to_contain_text("Birthday")
    alex.goto(f"/notes/{secret}")
    expect(alex.get_by_role("heading", level=1)).to_have_text("This page does not exist")
    alex.goto(f"/notes/{shared}")
    expect(alex.get_by_role("heading", level=1)).to_have_text("Shopping")
    expect(alex.get_by_text("Shared by Robin · only Robin can change it")).to_be_visible()
    expect(alex.get_by_role("button", name="Edit")).to_have_count(0)
    expect(alex.get_by_role("button", name="Delete")).to_have_count(0)

    wait_live(alex)
    robin.goto(f"/notes/{shared}")
    wait_live(robin)
    robin.get_by_label("Shared with the household").uncheck()  # saved at once
    expect(alex).to_have_url(re.compile(r"/notes$"))  # it left Alex's screen with Robin's change
    expect(alex.locator("main")).not_to_contain_text("Shopping")


def test_a_note_is_edited_shared_and_deleted(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    note = api_note(page, "Bins", "Blue bin on *Tuesday*.")
    page.goto(f"/notes/{note}")
    wait_live(page)
    expect(page.locator(".markdown em")).to_have_text("Tuesday")
    edit = page.get_by_role("button", name="Edit")
    edit.click()
    editor = page.locator("form[data-note-editor]")
    expect(editor.get_by_label("Title")).to_be_focused()
    expect(editor.get_by_label("Note")).to_have_value("Blue bin on *Tuesday*.")
    editor.get_by_label("Title").fill("Bins and recycling")
    editor.get_by_label("Note").fill(
        "## Days\n\n- Blue bin: **Thursday**\n- [Council page](https://council.example/bins)"
    )
    editor.get_by_role("button", name="Save").click()
    expect(editor).to_be_hidden()
    expect(edit).to_be_focused()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bins and recycling")
    expect(page.get_by_role("heading", level=3, name="Days")).to_be_visible()  # under the note's own h1
    link = page.get_by_role("link", name="Council page")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(page).to_have_title("Bins and recycling · Atom")

    shared = page.get_by_label("Shared with the household")
    expect(shared).not_to_be_checked()
    shared.check()
    expect(page.locator(".note-meta")).to_contain_text("shared with the household")
    screenshot(page, "note")
    assert_accessible(page, "note")

    edit.click()
    expect(editor.get_by_label("Title")).to_be_focused()
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()
    expect(edit).to_be_focused()
    dismissed: list[str] = []
    page.once("dialog", lambda dialog: (dismissed.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(re.compile(f"/notes/{note}$"))
    assert dismissed == ["Delete this note? It cannot be brought back."]
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(re.compile(r"/notes$"))
    expect(page.locator("main")).not_to_contain_text("Bins and recycling")


def test_ask_says_when_nothing_answers_and_search_says_meaning_is_off(signed_in: Callable[..., Page]) -> None:
    page = signed_in(MEMBER)
    box = open_search(page)
    box.fill("When is the plumber coming?")
    expect(page.locator("[data-meaning]")).to_contain_text("Search by meaning is off")
    expect(page.locator("[data-meaning]")).to_contain_text("results match your words only")
    page.get_by_role("button", name="Ask Atom").click()
    answer = page.get_by_role("region", name="Atom's answer")
    expect(answer).to_contain_text("I don't know: nothing in your notes or documents answers that.")
    expect(answer.get_by_role("list", name="Sources")).to_have_count(0)
    assert_accessible(page, "search-ask")


def test_the_pages_on_a_phone(signed_in: Callable[..., Page]) -> None:
    page = signed_in(MEMBER, viewport=PHONE)
    note = api_note(page, "A rather long title for a note that has to wrap on a phone", "Some **text**. " * 40)
    pages = {"search": "/search?q=text", "notes": "/notes", "note": f"/notes/{note}", "documents": "/documents"}
    for name, path in {**pages, "dashboard": "/"}.items():
        page.goto(path)
        wait_live(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{path} scrolls sideways"
        screenshot(page, f"knowledge-{name}-phone")
    page.goto("/search?q=text")
    expect(results(page)).to_have_count(1)
    assert_accessible(page, "search-phone")


def test_the_dashboard_search_box_opens_search(signed_in: Callable[..., Page]) -> None:
    page = signed_in(MEMBER)
    api_note(page, "Wifi", "The guest wifi password is on the fridge.", shared=True)
    page.goto("/")
    page.get_by_label("Search your notes").fill("fridge")
    page.get_by_label("Search your notes").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=fridge$"))
    expect(results(page).first).to_contain_text("Wifi")


def test_typing_sends_one_search_and_a_stale_one_is_dropped(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    api_note(page, "Wombat burrow", "The wombat burrow is behind the shed.")
    api_note(page, "Wallaby", "A wallaby visited the garden.")
    box = open_search(page)
    sent: list[str] = []
    page.on("request", lambda request: "/api/search" in request.url and sent.append(request.url))
    type_quickly(box, "wombat")
    expect(results(page)).to_have_count(1)
    assert len(sent) == 1 and sent[0].endswith("q=wombat&limit=20"), sent

    held: list[Route] = []
    page.route(re.compile(r"/api/search\?q=wom&"), lambda route: held.append(route))
    box.fill("wom")
    page.wait_for_timeout(400)  # the search for "wom" is sent and held here
    assert len(held) == 1
    box.fill("wallaby")
    expect(results(page)).to_have_count(1)
    expect(results(page).first).to_contain_text("Wallaby")
    try:
        held[0].continue_()  # the older search answers late: too late to be shown
    except Exception:  # noqa: BLE001 - the page gave up on it already
        pass
    page.wait_for_timeout(500)
    expect(results(page)).to_have_count(1)
    expect(results(page).first).to_contain_text("Wallaby")
    expect(status(page)).to_have_text("1 result for “wallaby”.")


def type_quickly(box: Locator, text: str) -> None:
    """A letter every 30 ms by the page's own clock, quicker than the pause a search waits for.
    Keystrokes sent from here are not, on a loaded box (two came 150 ms apart there); the page's
    timers keep their order however late they run, so each letter lands before the pause is over."""
    box.evaluate(
        """async (box, text) => {
            for (let end = 1; end <= text.length; end += 1) {
                if (end > 1) await new Promise((done) => window.setTimeout(done, 30));
                box.value = text.slice(0, end);
                box.dispatchEvent(new InputEvent("input", { bubbles: true, data: text[end - 1] }));
            }
        }""",
        text,
    )


def test_hostile_titles_and_bodies_stay_text(signed_in: Callable[..., Page]) -> None:
    page = signed_in(MEMBER)
    title = '<img src=x onerror="window.owned=1">Ocelot'
    body = 'Ocelot <script>window.owned=2</script> <b>bold?</b> [x](javascript:window.owned=3) <img src=x onerror="x">'
    note = api_note(page, title, body, shared=True)
    box = open_search(page)
    box.fill("ocelot")
    hit = results(page).first
    expect(hit.get_by_role("link")).to_have_text(title)
    expect(hit.locator(".result-snippet")).to_contain_text("<script>window.owned=2</script>")
    assert hit.locator("img, script, b").count() == 0
    page.goto(f"/notes/{note}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".markdown")).to_contain_text("<b>bold?</b>")
    assert page.locator(".markdown img, .markdown script, .markdown b, .markdown a").count() == 0
    assert page.evaluate("window.owned") is None


def test_a_document_is_renamed_and_shared_from_its_page(signed_in: Callable[..., Page], tmp_path: Path) -> None:
    page = signed_in(ADMIN)
    open_documents(page)
    letter = tmp_path / "letter.txt"
    letter.write_text("The school trip to the aquarium is on the 14th; bring a packed lunch.")
    page.get_by_label("File").set_input_files(letter)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("list", name="Uploads")).to_contain_text("Uploaded letter.txt")
    page.locator("[data-documents-list] .document-item a", has_text="letter").first.click()
    wait_live(page)
    editor = page.get_by_role("form", name="Title and sharing")
    editor.get_by_label("Title").fill("   ")
    editor.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("letter")  # the browser refused a blank title
    editor.get_by_label("Title").fill("Aquarium trip")
    editor.get_by_label("Shared with the household").check()
    editor.get_by_role("button", name="Save").click()
    expect(editor.get_by_role("alert")).to_have_text("Saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aquarium trip")
    expect(page.locator(".details")).to_contain_text("Everyone in the household")
    expect(page).to_have_title("Aquarium trip · Atom")
    assert_accessible(page, "document")

    member = signed_in(MEMBER)
    box = open_search(member)
    box.fill("aquarium")
    expect(results(member).first).to_contain_text("Aquarium trip")
    member.goto(page.url)
    expect(member.get_by_role("form", name="Title and sharing")).to_have_count(0)  # readable, not theirs to change


def test_search_says_how_many_records_it_is_still_indexing(signed_in: Callable[..., Page]) -> None:
    """The server here has no model; its answer is given as one with a model would be, mid-indexing."""
    page = signed_in(MEMBER)
    api_note(page, "Hedge", "Trim the hedge in June.")
    answers = iter([2, 0])

    def mid_indexing(route: Route) -> None:
        found = route.fetch().json()
        route.fulfill(json={**found, "meaning": "ready", "indexing": next(answers, 0)})

    page.route(re.compile(r"/api/search\?"), mid_indexing)
    box = open_search(page)
    box.fill("hedge")
    notice = page.locator("[data-meaning]")
    expect(notice).to_have_text("Still indexing 2 records by meaning; until then they are found by their words only.")
    expect(notice).to_be_hidden(timeout=5000)  # it looked again by itself, and all was indexed
    expect(results(page)).to_have_count(1)
