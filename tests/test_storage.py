"""The DuckDB owner: migrations, one write path, all-or-nothing changes, one process only."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from appliance.storage import Database, apply_migrations, schema_version
from appliance.storage.migrations import available_migrations


@pytest.fixture
def db(tmp_path):  # type: ignore[no-untyped-def]
    database = Database(tmp_path / "test.duckdb")
    yield database
    database.close()


def test_migrations_apply_once_and_record_the_version(db: Database) -> None:
    applied = apply_migrations(db)
    latest = available_migrations()[-1].version
    assert [m.version for m in applied] == list(range(1, latest + 1))
    assert schema_version(db) == latest
    assert apply_migrations(db) == []


def test_a_failed_change_leaves_nothing_behind(db: Database) -> None:
    db.write_sync(lambda c: c.execute("CREATE TABLE t (x INTEGER)"))

    def half_then_fail(conn) -> None:  # type: ignore[no-untyped-def]
        conn.execute("INSERT INTO t VALUES (1)")
        raise ValueError("boom")

    with pytest.raises(ValueError):
        db.write_sync(half_then_fail)
    assert db.read_sync(lambda c: c.execute("SELECT count(*) FROM t").fetchone()[0]) == 0


def test_concurrent_multi_statement_changes_never_interleave(db: Database) -> None:
    db.write_sync(lambda c: c.execute("CREATE TABLE counter (n INTEGER); INSERT INTO counter VALUES (0)"))

    def increment(conn) -> None:  # type: ignore[no-untyped-def]
        (n,) = conn.execute("SELECT n FROM counter").fetchone()
        conn.execute("UPDATE counter SET n = ?", [n + 1])

    async def many() -> None:
        await asyncio.gather(*(db.write(increment) for _ in range(200)))

    asyncio.run(many())
    assert db.read_sync(lambda c: c.execute("SELECT n FROM counter").fetchone()[0]) == 200


def test_a_second_process_cannot_open_the_database(db: Database) -> None:
    code = (
        "import sys; from appliance.storage import Database; from appliance.errors import DatabaseLocked\n"
        f"try:\n    Database(__import__('pathlib').Path({str(db.path)!r}))\n"
        "except DatabaseLocked as e:\n    print(e); sys.exit(3)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert "atom serve" in result.stdout


def test_a_failing_rollback_answers_the_caller_and_the_writer_keeps_serving(db: Database) -> None:
    db.write_sync(lambda c: c.execute("CREATE TABLE t (x INTEGER)"))

    def commit_then_fail(conn) -> None:  # type: ignore[no-untyped-def]
        conn.execute("INSERT INTO t VALUES (1)")
        conn.execute("COMMIT")  # a buggy change: the writer's ROLLBACK will now fail
        raise ValueError("after commit")

    with pytest.raises(ValueError, match="after commit"):
        db.write_sync(commit_then_fail)
    assert not db.healthy and "rollback failed" in (db.write_problem or "")
    db.write_sync(lambda c: c.execute("INSERT INTO t VALUES (2)"))
    assert db.healthy
    assert db.read_sync(lambda c: c.execute("SELECT sum(x) FROM t").fetchone()[0]) == 3


def test_healthz_reports_a_writer_that_cannot_write(client, runtime) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/healthz").json()["status"] == "ok"

    def commit_then_fail(conn) -> None:  # type: ignore[no-untyped-def]
        conn.execute("COMMIT")
        raise ValueError("broken")

    with pytest.raises(ValueError):
        runtime.db.write_sync(commit_then_fail)
    failing = client.get("/healthz")
    assert failing.status_code == 503 and "rollback failed" in failing.json()["problem"]
