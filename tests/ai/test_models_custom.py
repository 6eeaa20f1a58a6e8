"""An admin adds their own GGUF chat model: a real GGUF is checked, copied and registered; other
files are refused with a reason; a URL works over HTTP and fails clearly without a network."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.ai.models import (
    ImportRules,
    add_custom_model,
    import_rules,
    install_model,
    load_manifest,
    models_dir,
    read_gguf_info,
    read_installed,
    require_model,
    verify_installed,
)
from appliance.caches import model_cache
from appliance.cli import main
from appliance.errors import Conflict, InvalidInput, ServiceUnavailable
from appliance.settings import load_settings

CACHE = model_cache()
SMOL_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"


@pytest.fixture(scope="module")
def real_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SmolLM2's GGUF, installed once per session (shared with the other model tests)."""
    data = tmp_path_factory.getbasetemp() / "smollm2-data"
    install_model(data, load_manifest().get("smollm2"), CACHE)
    return require_model(data, "smollm2").path(data)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def rules(data: Path) -> ImportRules:
    return import_rules(load_settings(environ={}, data_dir=data))


def imported(data: Path, file: Path) -> Path:
    """`file` as the admin puts it in the import folder (a hard link: no copy of a large file)."""
    folder = models_dir(data) / "import"
    folder.mkdir(parents=True, exist_ok=True)
    os.link(file, folder / file.name)
    return folder / file.name


def test_a_real_gguf_is_added_as_a_chat_model(real_gguf: Path, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gguf = imported(data, real_gguf)
    assert main(["--data-dir", str(data), "models", "add", "my-chat", "--file", str(gguf)]) == 0
    assert f"added chat model my-chat (98.4 MB, sha256 {SMOL_SHA256})" in capsys.readouterr().out
    model = require_model(data, "my-chat", role="chat")
    assert (model.origin, model.source, model.context) == ("custom", str(gguf), 8192)
    assert model.files[0].sha256 == SMOL_SHA256
    assert model.path(data).read_bytes()[:4] == b"GGUF"
    assert verify_installed(data, model) == []
    assert main(["--data-dir", str(data), "models", "list", "--role", "chat"]) == 0
    assert "my-chat" in capsys.readouterr().out


def test_a_chat_template_given_by_the_admin_is_kept_with_the_model(real_gguf: Path, tmp_path: Path, data: Path) -> None:
    template = tmp_path / "template.jinja"
    template.write_text("{% for m in messages %}{{ m.content }}{% endfor %}")
    assert (
        main(
            [
                "--data-dir",
                str(data),
                "models",
                "add",
                "tmpl",
                "--file",
                str(imported(data, real_gguf)),
                "--chat-template",
                str(template),
            ]
        )
        == 0
    )
    model = require_model(data, "tmpl")
    assert [f.path for f in model.files] == ["SmolLM2-135M-Instruct.Q4_1.gguf", "chat_template.jinja"]
    assert (model.directory(data) / "chat_template.jinja").read_text() == template.read_text()


def test_a_file_that_is_not_gguf_is_refused_without_quoting_it(tmp_path: Path, data: Path, rules: ImportRules) -> None:
    fake = tmp_path / "notes.gguf"
    fake.write_text("these are not model weights")
    with pytest.raises(InvalidInput, match=r"^notes.gguf is not a GGUF model file") as caught:
        add_custom_model(data, "notes", load_manifest(), rules=rules, file=imported(data, fake))
    assert "thes" not in str(caught.value)
    assert read_installed(data).models == {}
    assert not (models_dir(data) / "notes").exists()


def test_a_gguf_of_an_unsupported_version_is_refused(tmp_path: Path, data: Path, rules: ImportRules) -> None:
    old = tmp_path / "old.gguf"
    old.write_bytes(b"GGUF" + struct.pack("<IQQ", 1, 0, 0))
    with pytest.raises(InvalidInput, match="GGUF version 1; llama.cpp reads versions 2 and 3"):
        add_custom_model(data, "old", load_manifest(), rules=rules, file=imported(data, old))


def test_a_gguf_cut_short_inside_its_header_is_refused(real_gguf: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(real_gguf.read_bytes()[:5000])
    with pytest.raises(InvalidInput, match="damaged GGUF header"):
        read_gguf_info(cut)


def test_names_must_be_new_and_simple(real_gguf: Path, data: Path, rules: ImportRules) -> None:
    manifest, gguf = load_manifest(), imported(data, real_gguf)
    with pytest.raises(Conflict, match="name of a shipped model"):
        add_custom_model(data, "smollm2", manifest, rules=rules, file=gguf)
    with pytest.raises(InvalidInput, match="not a usable model name"):
        add_custom_model(data, "My Model", manifest, rules=rules, file=gguf)
    add_custom_model(data, "mine", manifest, rules=rules, file=gguf)
    with pytest.raises(Conflict, match="already installed; remove it first"):
        add_custom_model(data, "mine", manifest, rules=rules, file=gguf)


def test_a_wrong_expected_sha256_refuses_the_file(real_gguf: Path, data: Path, rules: ImportRules) -> None:
    gguf = imported(data, real_gguf)
    with pytest.raises(InvalidInput, match="not the expected"):
        add_custom_model(data, "mine", load_manifest(), rules=rules, file=gguf, expected_sha256="0" * 64)
    assert not (models_dir(data) / "mine").exists()


@pytest.fixture
def file_server(real_gguf: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(real_gguf.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *_: object) -> None:
        pass


def test_a_gguf_is_downloaded_from_a_url(file_server: str, data: Path, rules: ImportRules) -> None:
    url = f"{file_server}/SmolLM2-135M-Instruct.Q4_1.gguf"
    model = add_custom_model(data, "fetched", load_manifest(), rules=rules, url=url, expected_sha256=SMOL_SHA256)
    assert model.source == url
    assert hashlib.sha256(model.path(data).read_bytes()).hexdigest() == SMOL_SHA256


def test_a_url_that_answers_404_is_refused(file_server: str, data: Path, rules: ImportRules) -> None:
    with pytest.raises(InvalidInput, match="answered HTTP 404"):
        add_custom_model(data, "gone", load_manifest(), rules=rules, url=f"{file_server}/missing.gguf")


def test_a_url_without_network_gives_a_clear_error(data: Path, rules: ImportRules) -> None:
    advice = "may have no internet access; copy the file onto the box and use --file"
    with pytest.raises(ServiceUnavailable, match=advice):
        add_custom_model(data, "far", load_manifest(), rules=rules, url="http://127.0.0.1:9/model.gguf")
    assert read_installed(data).models == {}
