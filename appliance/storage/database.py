"""One process, one DuckDB connection, one writer thread.

DuckDB allows a single process to open a database file. Inside that process
every write goes through `Database.write(fn)`: the function runs on the one
writer thread inside a transaction, so multi-statement changes never
interleave and a failure rolls the whole change back. Reads run on a small
pool of cursors and see committed data only. `write` returns after COMMIT,
and DuckDB has written the change to its write-ahead log by then, so an
acknowledged write survives `kill -9`.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

import duckdb

from appliance.errors import DatabaseLocked

__all__ = ["Database", "Reader", "Writer", "scalar"]

T = TypeVar("T")
Reader: TypeAlias = duckdb.DuckDBPyConnection
Writer: TypeAlias = duckdb.DuckDBPyConnection

_STOP = object()
log = logging.getLogger("appliance.storage")


class Database:
    def __init__(self, path: Path, read_threads: int = 4, limits: dict[str, str | int] | None = None) -> None:
        """`limits` is DuckDB configuration sized to the box (`memory_limit`, `threads`); None keeps DuckDB's."""
        self.path = path
        self._conn = _connect(path, limits or {})
        self._local = threading.local()
        self._readers = ThreadPoolExecutor(read_threads, thread_name_prefix="db-read")
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.generation = 0  # bumped after every committed write; lets caches notice change
        self.write_problem: str | None = None  # set when the writer can no longer write
        self._busy_since: float | None = None  # monotonic start of the write running now
        self._writer = threading.Thread(target=self._write_loop, name="db-write", daemon=True)
        self._writer.start()

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(cursor, *args)` on a reader thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._run_read, fn, args)

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(connection, *args)` as one transaction on the writer thread."""
        return await asyncio.wrap_future(self._submit(fn, args))

    def read_sync(self, fn: Callable[..., T], *args: Any) -> T:
        return self._readers.submit(self._run_read, fn, args).result()

    def write_sync(self, fn: Callable[..., T], *args: Any) -> T:
        return self._submit(fn, args).result()

    def close(self) -> None:
        self._jobs.put(_STOP)
        self._writer.join(timeout=10)
        self._readers.shutdown(wait=True)
        self._conn.close()

    def _submit(self, fn: Callable[..., T], args: tuple[Any, ...]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((fn, args, future))
        return future

    def _run_read(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._local.cursor = self._conn.cursor()
        return fn(cursor, *args)

    @property
    def healthy(self) -> bool:
        return self._writer.is_alive() and self.write_problem is None

    def writer_busy_seconds(self) -> float:
        """How long the write running now has run (0 when idle; infinite once the writer is gone)."""
        if not self._writer.is_alive():
            return float("inf")
        started = self._busy_since
        return 0.0 if started is None else time.monotonic() - started

    def _write_loop(self) -> None:
        """Never dies on a job: every caller is answered, even when a rollback fails."""
        writer = self._conn.cursor()
        while (job := self._jobs.get()) is not _STOP:
            fn, args, future = job
            if not future.set_running_or_notify_cancel():
                continue
            self._busy_since = time.monotonic()
            try:
                outcome = _run_transaction(writer, fn, args)
            except BaseException as exc:  # noqa: BLE001 - the rollback itself failed
                outcome, writer = (False, exc.__cause__ or exc), self._after_failed_rollback(writer, exc)
            else:
                self.write_problem = None
            finally:
                self._busy_since = None
            self.generation += 1  # before the caller hears: a revocation is never served from a cache
            _settle(future, outcome)
        writer.close()

    def _after_failed_rollback(self, broken: Writer, exc: BaseException) -> Writer:
        """Report it (healthz shows it) and give the next change a fresh cursor."""
        self.write_problem = f"a rollback failed: {exc}"
        log.error("database writer: %s", self.write_problem)
        try:
            broken.close()
        except duckdb.Error:
            pass
        return self._conn.cursor()


def scalar(conn: Reader, sql: str, params: list[Any] | None = None) -> Any:
    """The single value of an aggregate query (which always returns exactly one row)."""
    row = conn.execute(sql, params or []).fetchone()
    if row is None:
        raise LookupError(f"expected one row from: {sql}")
    return row[0]


def _run_transaction(writer: Writer, fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[bool, Any]:
    """(True, result) after COMMIT, or (False, the exception) after ROLLBACK."""
    try:
        writer.execute("BEGIN TRANSACTION")
        result = fn(writer, *args)
        writer.execute("COMMIT")
    except BaseException as exc:  # noqa: BLE001 - handed to the caller
        try:
            writer.execute("ROLLBACK")
        except BaseException as failed:  # noqa: BLE001 - the caller still hears its own error
            raise failed from exc
        return False, exc
    return True, result


def _settle(future: Future[Any], outcome: tuple[bool, Any]) -> None:
    committed, value = outcome
    if committed:
        future.set_result(value)
    else:
        future.set_exception(value)


def _connect(path: Path, limits: dict[str, str | int]) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(path), config=dict(limits))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseLocked(
                f"{path} is in use by another process (is `atom serve` running?). "
                "Only one process may open the database."
            ) from None
        raise
