"""What every connector's fake shares: a loopback server, its requests, and switches tests flip.

    fake.fail(429, retry_after="7")    the next request answers 429 with Retry-After
    fake.fail(500, times=3)            the next three answer 500
    fake.cut_after(2)                  requests after the second fail to connect (a sync interrupted)
    fake.answer_next(Reply(...))       the next request gets exactly this

Subclasses speak one service's documented paths, headers and JSON and name their connector
(`connector`, the folder under appliance/connectors/services): the meta-test pairs them.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from tests.fakes.loopback import LoopbackServer, Recorded, Reply

__all__ = ["ServiceFake"]


class ServiceFake:
    connector: ClassVar[str] = ""
    running: ClassVar[list[ServiceFake]] = []

    def __init__(self) -> None:
        self.server = LoopbackServer(self._answer)
        self.lock = threading.Lock()
        self._queued: list[Reply] = []
        self._answer_limit: int | None = None

    def __enter__(self) -> Any:
        self.server.start()
        ServiceFake.running.append(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self in ServiceFake.running:
            ServiceFake.running.remove(self)
        self.server.stop()

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def requests(self) -> list[Recorded]:
        return self.server.requests

    def fail(self, status: int, *, times: int = 1, retry_after: str | None = None, body: Any = None) -> None:
        headers = {"retry-after": retry_after} if retry_after is not None else {}
        for _ in range(times):
            self._queued.append(Reply(status, body if body is not None else {"message": "failed"}, headers))

    def answer_next(self, reply: Reply) -> None:
        """The next request gets exactly this (a hostile or odd answer)."""
        self._queued.append(reply)

    def cut_after(self, answers: int | None) -> None:
        """Answer this many more requests, then drop every connection until set to None."""
        self._answer_limit = answers

    def route(self, request: Recorded) -> Reply:
        raise NotImplementedError

    def _answer(self, request: Recorded) -> Reply:
        with self.lock:
            if self._answer_limit is not None:
                if self._answer_limit <= 0:
                    return Reply(frames=[b"x"], cut_after=0)  # headers, then the connection drops
                self._answer_limit -= 1
            if self._queued:
                return self._queued.pop(0)
            return self.route(request)
