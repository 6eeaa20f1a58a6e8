"""`atom knowledge check` finds what the index lacks; `atom knowledge reindex` rebuilds it."""

from __future__ import annotations

import asyncio

from appliance.knowledge.notes import NoteCreate, create_note
from appliance.runtime import open_runtime
from appliance.settings import Settings
from tests.conftest import run_cli


def _notes(settings: Settings, count: int) -> list[str]:
    runtime = open_runtime(settings)
    try:
        made = [
            asyncio.run(
                create_note(
                    runtime.db, runtime.knowledge, runtime.bus, "u1", NoteCreate(title=f"Note {n}", body=f"apricot {n}")
                )
            )
            for n in range(count)
        ]
    finally:
        runtime.close()
    return [note.id for note in made]


def _tamper(settings: Settings, missing: str, stale: str) -> None:
    runtime = open_runtime(settings)
    try:
        store = runtime.knowledge.store
        store.write_sync(lambda c: c.execute("DELETE FROM chunks WHERE record_id = ?", [missing]))
        store.write_sync(lambda c: c.execute("UPDATE chunks SET version = 'old' WHERE record_id = ?", [stale]))
        store.write_sync(
            lambda c: c.execute(
                "INSERT INTO chunks (record_type, record_id, owner_id, audience, source, title, seq, body, updated_at,"
                " version) VALUES ('note', 'gone', 'u1', 'u1', 'notes', 't', 0, 'b', 0, 'v')"
            )
        )
    finally:
        runtime.close()


def test_check_reports_missing_stale_and_orphaned_records_and_reindex_repairs_them(settings: Settings) -> None:
    ids = _notes(settings, 3)
    healthy = run_cli(settings.data_dir, "knowledge", "check")
    assert healthy.returncode == 0, healthy.stderr
    assert "3 records" in healthy.stdout
    _tamper(settings, missing=ids[0], stale=ids[1])
    broken = run_cli(settings.data_dir, "knowledge", "check")
    assert broken.returncode == 1
    assert f"missing: note:{ids[0]}" in broken.stdout
    assert f"stale: note:{ids[1]}" in broken.stdout
    assert "orphaned: note:gone" in broken.stdout
    assert "atom knowledge reindex" in broken.stderr
    rebuilt = run_cli(settings.data_dir, "knowledge", "reindex")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "reindexed 3 records" in rebuilt.stdout
    assert run_cli(settings.data_dir, "knowledge", "check").returncode == 0
