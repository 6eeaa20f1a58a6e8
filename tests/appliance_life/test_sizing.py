"""DuckDB sized to the box: the settings' 0 means 'from the box', and the database obeys it."""

from __future__ import annotations

from pathlib import Path

from appliance.settings import StorageSettings, load_settings
from appliance.storage import Database
from appliance.system.sizing import database_threads, duckdb_limits, memory_limit_mb, total_memory_bytes

GIB = 1024**3


def test_memory_is_an_eighth_of_the_box_within_bounds() -> None:
    assert memory_limit_mb(0, 1 * GIB) == 128  # a 1 GB Pi
    assert memory_limit_mb(0, 4 * GIB) == 512
    assert memory_limit_mb(0, 16 * GIB) == 1024
    assert memory_limit_mb(0, 512 * 1024**2) == 128
    assert memory_limit_mb(300, 16 * GIB) == 300


def test_threads_leave_cores_to_the_models() -> None:
    assert [database_threads(0, cores) for cores in (1, 2, 4, 8)] == [1, 1, 2, 2]
    assert database_threads(3, 4) == 3


def test_the_settings_reach_duckdb(tmp_path: Path) -> None:
    settings = load_settings(environ={"ATOM_STORAGE_MEMORY_MB": "200", "ATOM_STORAGE_THREADS": "1"}, data_dir=tmp_path)
    db = Database(tmp_path / "atom.duckdb", limits=duckdb_limits(settings.storage))
    try:
        limit, threads = db.read_sync(
            lambda c: c.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchone()
        )
    finally:
        db.close()
    assert threads == 1
    assert limit in ("200.0 MiB", "190.7 MiB")  # DuckDB reads "MB" as 1000² bytes and shows MiB


def test_defaults_come_from_the_box() -> None:
    limits = duckdb_limits(StorageSettings())
    assert limits["memory_limit"] == f"{memory_limit_mb(0, total_memory_bytes())}MB"
    assert 1 <= int(limits["threads"]) <= 2
