"""The index file's owner: one writer thread (every change a transaction), a pool of readers.

SQLite in WAL mode lets readers run beside the one writer. Like the DuckDB owner, callers hand
in plain functions of a connection; blocking work never runs on the event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from appliance.knowledge.index.signs import SignBits
from appliance.knowledge.index.sqlite import Connection, connect

__all__ = ["IndexStore"]

T = TypeVar("T")


class IndexStore:
    def __init__(self, path: Path, dims: int, read_threads: int = 3) -> None:
        self.path = path
        self._writer_conn = connect(path)
        _create_schema(self._writer_conn, dims)
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="index-write")
        self._readers = ThreadPoolExecutor(read_threads, thread_name_prefix="index-read")
        self._local = threading.local()
        self._opened: list[Connection] = []
        self.signs = SignBits(dims)
        """The sign bits of every vector in memory, following sqlite-vec: search by meaning's first pass."""

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, self._transaction, fn, args)

    def write_sync(self, fn: Callable[..., T], *args: Any) -> T:
        return self._writer.submit(self._transaction, fn, args).result()

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._run_read, fn, args)

    def read_sync(self, fn: Callable[..., T], *args: Any) -> T:
        return self._readers.submit(self._run_read, fn, args).result()

    def close(self) -> None:
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        for conn in [*self._opened, self._writer_conn]:
            conn.close()

    def _transaction(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        conn = self._writer_conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(conn, *args)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    def _run_read(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.path)
            self._opened.append(conn)
        return fn(conn, *args)


def _create_schema(conn: Connection, dims: int) -> None:
    sql = resources.files("appliance.knowledge.index").joinpath("schema.sql").read_text().replace("{dims}", str(dims))
    conn.executescript(sql)
