"""What the backup tests share: a household with real content, and every byte of it, to compare."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
from litestar.testing import TestClient

from appliance.knowledge.index.sqlite import connect
from appliance.runtime import Runtime
from appliance.system.backup import make_key_pair
from tests.conftest import add_member, second_client, sign_in

BEA = ("bea", "bea's long password")
DOCUMENT = "Boiler service: 14 March — pressure 1,5 bar ✓\n".encode()


def fill_household(admin: TestClient, runtime: Runtime) -> dict[str, str]:
    """A member with a private note, a document and a provider key; job history; returns their ids."""
    add_member(admin, BEA[0], BEA[1])
    with second_client(runtime) as bea:
        sign_in(bea, *BEA)
        note = bea.post("/api/notes", json={"title": "Bea's secret", "body": "The spare key is under the frog."})
        document = bea.post("/api/documents", files={"file": ("boiler.txt", DOCUMENT, "text/plain")})
        key = bea.post("/api/ai/keys", json={"provider": "openai", "api_key": "sk-bea-0123456789abcdef"})
    assert note.status_code == document.status_code == key.status_code == 201, (note.text, document.text, key.text)
    queued = admin.post("/api/system/jobs/housekeeping")
    assert queued.status_code == 202
    return {"note": note.json()["id"], "document": document.json()["id"], "key": key.json()["id"]}


def household_key(runtime: Runtime, folder: Path) -> Path:
    """`atom backup keygen`'s work: the public key stored, the secret key in a file of the household's."""
    _, secret = make_key_pair(runtime.settings)
    identity = folder / "household-key.txt"
    identity.write_text(f"# Atom backups\n{secret}\n")
    return identity


def duckdb_content(conn: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in a fixed order."""
    tables = conn.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT internal ORDER BY 1, 2"
    ).fetchall()
    return {f"{s}.{t}": sorted(conn.execute(f'SELECT * FROM "{s}"."{t}"').fetchall(), key=repr) for s, t in tables}


def duckdb_file_content(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return duckdb_content(conn)
    finally:
        conn.close()


def sqlite_content(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (the search index's sqlite-vec and FTS5 tables too)."""
    conn = connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
