"""Models cannot break the box: names, the registry, files from the box and downloads, over real HTTP.

Atom serves on its real own port with a small download cap and a short deadline. The admin's
API token stands for a stolen one, or an admin who trusts the wrong file or link.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from appliance.ai.models import is_reserved, load_manifest, models_dir
from appliance.cli import main
from appliance.runtime import Runtime
from appliance.settings import Settings
from tests.ai.conftest import on_a_free_port
from tests.fakes import LoopbackServer, Reply

CAP = 64_000  # ai.model_download_max_bytes here
DEADLINE = 1  # ai.model_download_seconds here


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return on_a_free_port(settings, model_download_max_bytes=CAP, model_download_seconds=DEADLINE)


@pytest.fixture
def import_folder(runtime: Runtime) -> Path:
    folder = models_dir(runtime.settings.data_dir) / "import"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def gguf(*entries: bytes, version: int = 3, count: int | None = None) -> bytes:
    """A GGUF header (no tensors) holding `entries`; `count` may claim another number of them."""
    return b"GGUF" + struct.pack("<IQQ", version, 0, len(entries) if count is None else count) + b"".join(entries)


def text(key: str, value: str) -> bytes:
    return _key(key) + struct.pack("<I", 8) + _text(value)


def _key(key: str) -> bytes:
    return _text(key)


def _text(value: str) -> bytes:
    data = value.encode()
    return struct.pack("<Q", len(data)) + data


GOOD = gguf(text("general.architecture", "llama"), text("general.license", "MIT"))


def _add(admin: httpx.Client, name: str, **source: str) -> httpx.Response:
    return admin.post("/api/ai/models", json={"name": name, **source})


def _names(admin: httpx.Client) -> set[str]:
    return {m["name"] for m in admin.get("/api/ai/models").json()}


def test_a_model_can_never_be_named_after_atoms_own_files(admin_http: httpx.Client, import_folder: Path) -> None:
    (import_folder / "good.gguf").write_bytes(GOOD)
    for name in ("installed.json", "installed.json.tmp", "import", "notes.json", "x.tmp", "x.lock", ".lock"):
        refused = _add(admin_http, name, path="good.gguf")
        assert refused.status_code == 400 and "not a usable model name" in refused.json()["detail"], name
    for name in (".staging-x", "../x", "a/b", "Big", "", "x" * 65, "mo\x00del"):
        assert _add(admin_http, name, path="good.gguf").status_code == 400, name
    assert admin_http.get("/settings/ai", headers={"accept": "text/html"}).status_code == 200
    assert _add(admin_http, "mine.v2", path="good.gguf").status_code == 201
    assert "mine.v2" in _names(admin_http)


def test_no_shipped_model_has_a_reserved_name() -> None:
    assert not [name for name in load_manifest().models if is_reserved(name)]


PAGES = ["/", "/chat", "/members", "/account", "/system", "/settings/ai", "/settings/usage"]
APIS = ["/api/ai/models", "/v1/models", "/fragments/ai-models", "/api/ai/keys", "/api/system/status"]


@pytest.mark.parametrize("damage", ["garbage", "a folder", "unreadable"])
def test_a_damaged_registry_answers_503_with_the_fix_on_every_page_and_api(
    admin_http: httpx.Client, runtime: Runtime, damage: str
) -> None:
    registry = models_dir(runtime.settings.data_dir) / "installed.json"
    registry.parent.mkdir(parents=True, exist_ok=True)
    if damage == "a folder":
        registry.mkdir()
    else:
        registry.write_text('{"models": {"x": ')
        if damage == "unreadable":
            registry.chmod(0)
            if os.access(registry, os.R_OK):  # root reads anything
                registry.write_text("[1, 2")
    seen = {}
    for path in PAGES + APIS:
        response = admin_http.get(path, headers={"accept": "text/html" if path in PAGES else "application/json"})
        seen[path] = response.status_code
        assert response.status_code in (200, 503), (path, response.status_code, response.text[:300])
        if response.status_code == 503:
            assert "atom models install --default" in response.text and str(registry) in response.text, path
    assert seen["/api/ai/models"] == seen["/v1/models"] == seen["/settings/ai"] == 503
    assert seen["/api/ai/keys"] == 200  # what does not need the models still works


def test_files_are_added_only_from_the_import_folder(
    admin_http: httpx.Client, import_folder: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "real.gguf").write_bytes(GOOD)
    (import_folder / "link-out.gguf").symlink_to(outside / "real.gguf")
    (import_folder / "sub").mkdir()
    (import_folder / "sub" / "fine.gguf").write_bytes(GOOD)
    (import_folder / "link-in.gguf").symlink_to(import_folder / "sub" / "fine.gguf")
    only_here = f"Atom adds model files only from {import_folder}"
    for path in (str(outside / "real.gguf"), str(outside / "missing.gguf"), "../../../etc/passwd", "link-out.gguf"):
        refused = _add(admin_http, "sneaky", path=path)
        assert refused.status_code == 400 and refused.json()["detail"].startswith(only_here), path
    secret = _add(admin_http, "sneaky", path="/etc/shadow")
    assert secret.status_code == 400 and "root:" not in secret.text
    for path in ("sub", "nothing-here.gguf", "bad\x00path"):
        assert _add(admin_http, "sneaky", path=path).status_code == 400, path
    assert "sneaky" not in _names(admin_http)
    assert _add(admin_http, "linked", path="link-in.gguf").status_code == 201
    assert _add(admin_http, "nested", path=str(import_folder / "sub" / "fine.gguf")).status_code == 201


def test_the_command_line_takes_files_from_the_import_folder_only(
    runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stray = tmp_path / "stray.gguf"
    stray.write_bytes(GOOD)
    data = str(runtime.settings.data_dir)
    assert main(["--data-dir", data, "models", "add", "stray", "--file", str(stray)]) == 1
    assert "Atom adds model files only from" in capsys.readouterr().err


def _entry_array(kind: int, count: int, body: bytes = b"") -> bytes:
    return _key("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, kind, count) + body


def _nested(depth: int) -> bytes:
    inner = struct.pack("<IQ", 0, 0)  # an empty array of bytes
    for _ in range(depth):
        inner = struct.pack("<IQ", 9, 1) + inner
    return _key("deep") + struct.pack("<I", 9) + inner


MALFORMED: dict[str, bytes] = {
    "empty": b"",
    "three bytes": b"GGU",
    "wrong magic": b"TOP-SECRET notes" + GOOD[4:],
    "an old version": gguf(version=1),
    "a future version": gguf(version=99),
    "cut inside the counts": GOOD[:12],
    "cut inside a value": GOOD[:-3],
    "a billion entries claimed": gguf(text("a", "b"), count=1 << 40),
    "a huge string": gguf(_key("k") + struct.pack("<IQ", 8, 1 << 62)),
    "a huge key": gguf(struct.pack("<Q", 1 << 63)),
    "a huge byte array": gguf(_entry_array(0, 1 << 62)),
    "a huge string array": gguf(_entry_array(8, 1 << 62)),
    "arrays nested deep": gguf(_nested(500)),
    "an unknown value type": gguf(_key("k") + struct.pack("<I", 77)),
    "an unknown array type": gguf(_entry_array(77, 1, b"x" * 16)),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_gguf_header_is_a_400_that_quotes_nothing(
    admin_http: httpx.Client, import_folder: Path, name: str
) -> None:
    (import_folder / "odd.gguf").write_bytes(MALFORMED[name])
    refused = _add(admin_http, "odd", path="odd.gguf")
    assert refused.status_code == 400, refused.text
    assert "GGUF" in refused.json()["detail"] and "TOP" not in refused.text
    assert "odd" not in _names(admin_http)


def test_odd_values_in_a_sound_header_are_not_believed(admin_http: httpx.Client, import_folder: Path) -> None:
    context = _key("llama.context_length") + struct.pack("<I", 8) + _text("lots")
    long_licence = text("general.license", "L" * 10_000)
    (import_folder / "odd.gguf").write_bytes(gguf(text("general.architecture", "llama"), context, long_licence))
    added = _add(admin_http, "odd", path="odd.gguf")
    assert added.status_code == 201, added.text
    assert len(added.json()["license"]) <= 200


# --- downloads --------------------------------------------------------------------------


@pytest.fixture
def file_server() -> Iterator[Callable[[Reply], LoopbackServer]]:
    """A server in the house: admins may download from it."""
    started: list[LoopbackServer] = []

    def serve(reply: Reply) -> LoopbackServer:
        started.append(LoopbackServer(lambda request: reply, public=False).start())
        return started[-1]

    yield serve
    for server in started:
        server.release()
        server.stop()


def test_a_download_over_the_cap_is_refused(
    admin_http: httpx.Client, file_server: Callable[[Reply], LoopbackServer]
) -> None:
    announced = file_server(Reply(body=GOOD + b"\0" * CAP))
    refused = _add(admin_http, "big", url=f"{announced.url}/big.gguf")
    assert refused.status_code == 400 and "ai.model_download_max_bytes" in refused.json()["detail"]
    unannounced = file_server(Reply(frames=[GOOD] + [b"\0" * 8192] * 10))  # chunked: no length told
    refused = _add(admin_http, "big", url=f"{unannounced.url}/big.gguf")
    assert refused.status_code == 400 and "ai.model_download_max_bytes" in refused.json()["detail"]
    assert "big" not in _names(admin_http)


def test_a_download_past_its_deadline_is_stopped(
    admin_http: httpx.Client, file_server: Callable[[Reply], LoopbackServer]
) -> None:
    slow = file_server(Reply(frames=[GOOD, b"\0" * 100, b"\0" * 100], hold_after=1))  # waits ~5 s midway
    stopped = _add(admin_http, "slow", url=f"{slow.url}/slow.gguf")
    assert stopped.status_code == 503 and "ai.model_download_seconds" in stopped.json()["detail"]
    assert "slow" not in _names(admin_http)


def test_a_download_never_reaches_atom_itself(
    admin_http: httpx.Client, atom: str, file_server: Callable[[Reply], LoopbackServer]
) -> None:
    port = atom.rsplit(":", 1)[1]
    for url in (f"{atom}/api/ai/models", f"http://localhost:{port}/x.gguf", f"http://[::ffff:127.0.0.1]:{port}/"):
        refused = _add(admin_http, "self", url=url)
        assert refused.status_code == 400 and "that is Atom itself" in refused.json()["detail"], url
    bounce = file_server(Reply(status=302, headers={"location": f"{atom}/api/ai/keys"}))
    refused = _add(admin_http, "self", url=f"{bounce.url}/model.gguf")
    assert refused.status_code == 400 and "that is Atom itself" in refused.json()["detail"]
    assert [r.path for r in bounce.requests] == ["/model.gguf"]


def test_a_download_from_a_server_in_the_house_works(
    admin_http: httpx.Client, file_server: Callable[[Reply], LoopbackServer]
) -> None:
    nas = file_server(Reply(body=GOOD))
    added = _add(admin_http, "from-nas", url=f"{nas.url}/tiny.gguf")
    assert added.status_code == 201, added.text


def test_one_source_and_a_sound_checksum_are_required(admin_http: httpx.Client, import_folder: Path) -> None:
    (import_folder / "good.gguf").write_bytes(GOOD)
    both = _add(admin_http, "x", path="good.gguf", url="https://example.com/x.gguf")
    assert both.status_code == 400 and "either" in both.json()["detail"]
    assert _add(admin_http, "x").status_code == 400
    odd_sum = admin_http.post("/api/ai/models", json={"name": "x", "path": "good.gguf", "sha256": "xyz"})
    assert odd_sum.status_code == 400 and "64 hexadecimal" in odd_sum.json()["detail"]
    for url in ("ftp://example.com/x.gguf", "https://\u00ca\x0f!/x", "http://user:pw@example.com/x.gguf"):
        assert _add(admin_http, "x", url=url).status_code == 400, url
