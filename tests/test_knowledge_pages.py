"""The notes, documents and search pages, in-process: sign-in first, who sees which note and
document and which controls, and Markdown that can never become markup of its own."""

from __future__ import annotations

import re
import time

import pytest
from litestar.testing import TestClient

from appliance.runtime import Runtime
from appliance.server.pages.markdown import render_markdown, safe_link
from tests.conftest import add_member, second_client, sign_in

PAGES = ("/search", "/notes", "/documents")
HTML = {"accept": "text/html"}


def _note(client: TestClient, title: str, body: str = "", shared: bool = False) -> dict:
    response = client.post("/api/notes", json={"title": title, "body": body, "shared": shared})
    assert response.status_code == 201, response.text
    return response.json()


def _upload(client: TestClient, name: str, text: bytes, shared: bool = False) -> dict:
    fields = {"shared": "true" if shared else "false"}
    response = client.post("/api/documents", files={"file": (name, text, "text/plain")}, data=fields)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def robin(admin: TestClient, runtime: Runtime):
    add_member(admin, "robin")
    with second_client(runtime) as other:
        yield sign_in(other, "robin", "member password")


def test_the_pages_need_a_sign_in(admin: TestClient, runtime: Runtime) -> None:
    note = _note(admin, "Boiler")
    document = _upload(admin, "manual.txt", b"Bleed the radiators in October.")
    with second_client(runtime) as stranger:
        for path in (*PAGES, f"/notes/{note['id']}", f"/documents/{document['id']}", "/search?q=boiler"):
            response = stranger.get(path, headers=HTML, follow_redirects=False)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next=/"), path
        for path in ("/fragments/notes", f"/fragments/notes/{note['id']}", "/fragments/documents"):
            assert stranger.get(path, headers=HTML).status_code == 401, path


def test_the_pages_render_in_the_navigation_with_theirs_marked(admin: TestClient) -> None:
    for path in PAGES:
        response = admin.get(path)
        assert response.status_code == 200, path
        assert re.findall(r'<a href="([^"]+)" aria-current="page">', response.text) == [path]
        assert " style=" not in response.text and "<script>" not in response.text  # the CSP allows neither


def test_the_search_box_keeps_the_query_escaped(admin: TestClient) -> None:
    page = admin.get("/search", params={"q": '"><script>alert(1)</script>'}).text
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert admin.get("/search", params={"q": "x" * 501}).status_code == 400


def test_a_note_is_shown_from_its_markdown_and_never_runs_what_it_holds(admin: TestClient) -> None:
    body = (
        "# Boiler\n\n**Pressure** 1.5 bar <script>alert(1)</script>\n\n"
        "- [manual](https://example.org/m)\n- [x](javascript:alert(1))"
    )
    note = _note(admin, "Heating <b>notes</b>", body)
    page = admin.get(f"/notes/{note['id']}").text
    assert "<h2>Boiler</h2>" in page and "<strong>Pressure</strong>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "Heating &lt;b&gt;notes&lt;/b&gt;" in page
    assert '<a href="https://example.org/m" rel="noopener noreferrer" target="_blank">manual</a>' in page
    assert 'href="javascript' not in page
    assert "data-note-editor" in page and "data-note-delete" in page  # the author's controls


def test_a_shared_note_is_read_only_to_the_household_and_a_private_one_is_a_404(
    admin: TestClient, robin: TestClient
) -> None:
    private = _note(robin, "Diary", "Surprise party for Ada")
    shared = _note(robin, "Snacks", "Crisps and dips", shared=True)
    for path in (f"/notes/{private['id']}", f"/fragments/notes/{private['id']}"):
        response = admin.get(path, headers=HTML)
        assert response.status_code == 404 and "Surprise" not in response.text, path
    page = admin.get(f"/notes/{shared['id']}").text
    assert "Crisps and dips" in page and "Shared by robin" in page
    assert "data-note-editor" not in page and "data-note-delete" not in page and "data-share-toggle" not in page
    for listing in (admin.get("/notes").text, admin.get("/fragments/notes").text):
        assert "Snacks" in listing and "Diary" not in listing
        assert "By robin" in listing
    mine = robin.get("/fragments/notes").text
    assert "Diary" in mine and "Snacks" in mine and "By robin" not in mine


def test_documents_list_with_downloads_and_only_the_uploader_may_delete(admin: TestClient, robin: TestClient) -> None:
    kept = _upload(robin, "fence.txt", b"The fence paint is in the shed.", shared=True)
    hidden = _upload(robin, "bank.txt", b"Account details.")
    page = admin.get("/documents").text
    assert f'href="/api/documents/{kept["id"]}/file" download' in page and "bank.txt" not in page
    assert f'data-api="/api/documents/{kept["id"]}"' not in page  # no delete for someone else's
    own = robin.get("/fragments/documents").text
    assert f'data-api="/api/documents/{kept["id"]}" data-method="DELETE"' in own and "bank.txt" in own
    details = admin.get(f"/documents/{kept['id']}").text
    assert "fence.txt" in details and "Everyone in the household" in details and "by robin" in details
    assert admin.get(f"/documents/{hidden['id']}", headers=HTML).status_code == 404
    assert 'data-max-mb="50"' in admin.get("/documents").text


def test_only_the_uploader_gets_the_title_and_sharing_form(admin: TestClient, robin: TestClient) -> None:
    shared = _upload(robin, "fence.txt", b"The fence paint is in the shed.", shared=True)
    form = f'data-api="/api/documents/{shared["id"]}" data-method="PATCH"'
    assert form not in admin.get(f"/documents/{shared['id']}").text  # readable, not the admin's to change
    own = robin.get(f"/documents/{shared['id']}").text
    assert form in own and f'value="{shared["title"]}"' in own
    assert 'id="document-shared" name="shared" type="checkbox" checked' in own
    robin.patch(f"/api/documents/{shared['id']}", json={"title": "<b>Paint</b>", "shared": False})
    view = robin.get(f"/fragments/documents/{shared['id']}").text
    assert "&lt;b&gt;Paint&lt;/b&gt;" in view and "<b>Paint" not in view and "Only you" in view
    assert admin.get(f"/documents/{shared['id']}", headers=HTML).status_code == 404


def test_the_dashboard_offers_a_search_box(admin: TestClient) -> None:
    page = admin.get("/").text
    assert 'action="/search" method="get"' in page and 'id="panel-search-box" name="q"' in page


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("*em* and **strong** and `co*de*`", "<p><em>em</em> and <strong>strong</strong> and <code>co*de*</code></p>"),
        ("**bold *both* here**", "<p><strong>bold <em>both</em> here</strong></p>"),
        ("snake_case_name and 2*3*4", "<p>snake_case_name and 2*3*4</p>"),
        ("## Title ##\n# C#", "<h3>Title</h3>\n<h2>C#</h2>"),
        (
            "- one\n- two\n\n1. first\n2) second",
            "<ul><li>one</li><li>two</li></ul>\n<ol><li>first</li><li>second</li></ol>",
        ),
        ("> said\n> more", "<blockquote><p>said<br>\nmore</p></blockquote>"),
        ("```\n<b>**raw**</b>\n```", "<pre><code>&lt;b&gt;**raw**&lt;/b&gt;</code></pre>"),
        ("line one\nline two\n\n---", "<p>line one<br>\nline two</p>\n<hr>"),
        ('<img src=x onerror="alert(1)">', "<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>"),
        (
            "[a](mailto:ada@example.org)",
            '<p><a href="mailto:ada@example.org" rel="noopener noreferrer" target="_blank">a</a></p>',
        ),
        (
            '[q](https://a.example/?x="1"&y=2)',
            '<p><a href="https://a.example/?x=&quot;1&quot;&amp;y=2" rel="noopener noreferrer" target="_blank">'
            "q</a></p>",
        ),
    ],
)
def test_markdown_renders_a_safe_subset(text: str, html: str) -> None:
    assert str(render_markdown(text)) == html


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "jav&#x09;ascript:x",
        "data:text/html,x",
        "/relative",
        "//evil.example",
        "vbscript:x",
    ],
)
def test_markdown_links_only_to_the_web_and_mail(address: str) -> None:
    assert safe_link(address) is None
    assert "<a " not in str(render_markdown(f"[click]({address})"))


def test_markdown_stays_quick_on_hostile_input() -> None:
    for hostile in ("[" * 60_000 + "](", "[a](" * 40_000, "**a " * 50_000, "_a " * 60_000, "# " + " " * 100_000 + "x"):
        started = time.monotonic()
        render_markdown(hostile)
        assert time.monotonic() - started < 2, hostile[:20]


def test_control_characters_cannot_forge_markup() -> None:
    assert "\x00" not in str(render_markdown("a\x000\x00 `b` [c](https://d.example)"))
