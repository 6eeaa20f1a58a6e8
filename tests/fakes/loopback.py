"""A real HTTP/1.1 server on 127.0.0.1 (a free port), in a thread, for fakes to answer from.

It records every request, and can answer slowly, stream server-sent events one
chunk at a time, hold a stream back until the test releases it, or drop the
connection halfway.

A running server is `public` unless made otherwise: Atom's outbound checks treat its
address as a server on the internet (tests.fakes.stand_ins). One made with
`public=False` plays a service on the household network or on the box itself, which a
member's key must never reach.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

__all__ = ["Recorded", "Reply", "LoopbackServer"]

HOLD_LIMIT = 5.0  # seconds a held stream waits for release before going on anyway


@dataclass(frozen=True)
class Recorded:
    """A request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case
    body: Any  # parsed JSON, a dict for a form (application/x-www-form-urlencoded), or None


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # sent as JSON, or as is if bytes
    headers: dict[str, str] = field(default_factory=dict)
    frames: list[bytes] | None = None  # a stream: each frame is sent and flushed on its own
    delay: float = 0.0  # seconds before answering
    hold_after: int | None = None  # after this many frames, wait for `release()`
    cut_after: int | None = None  # after this many frames, drop the connection


class LoopbackServer:
    running: ClassVar[list[LoopbackServer]] = []  # started and not yet stopped, oldest first

    def __init__(self, answer: Callable[[Recorded], Reply], *, public: bool = True) -> None:
        self.public = public
        self.requests: list[Recorded] = []
        self.released = threading.Event()
        self.holding = threading.Event()  # set while a stream waits for release
        self._stopping = threading.Event()
        self._answer = answer
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{host}:{port}"

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> LoopbackServer:
        self._thread.start()
        LoopbackServer.running.append(self)
        return self

    def stop(self) -> None:
        if self in LoopbackServer.running:
            LoopbackServer.running.remove(self)
        self._stopping.set()
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def release(self) -> None:
        self.released.set()

    def receive(self, request: Recorded) -> Reply:
        self.requests.append(request)
        return self._answer(request)

    def pause(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def hold(self) -> None:
        self.holding.set()
        self.released.wait(HOLD_LIMIT)
        self.holding.clear()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # clients that hang up are normal here
            super().handle_error(request, client_address)


def _parsed(raw: bytes, headers: dict[str, str]) -> Any:
    if not raw:
        return None
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode(), keep_blank_values=True))
    return json.loads(raw)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked streams, as the vendors speak
    disable_nagle_algorithm = True  # else headers and body wait on delayed ACKs (40 ms a request)
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    @property
    def fake(self) -> LoopbackServer:
        return self.server.fake  # type: ignore[attr-defined,no-any-return]

    def _serve(self) -> None:
        reply = self.fake.receive(self._recorded())
        try:
            self._send(reply)
        except ConnectionError:  # the client gave up (a timeout test)
            self.close_connection = True

    def _recorded(self) -> Recorded:
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        url = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        return Recorded(self.command, url.path, dict(parse_qsl(url.query)), headers, _parsed(raw, headers))

    def _send(self, reply: Reply) -> None:
        if reply.delay:
            self.fake.pause(reply.delay)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.frames is None:
            self._send_body(reply.body)
        else:
            self._send_stream(reply)

    def _send_body(self, body: Any) -> None:
        """JSON, or bytes as they are (an HTML error page from a proxy, say)."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
        self.send_header("content-type", "text/html" if isinstance(body, bytes) else "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_stream(self, reply: Reply) -> None:
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for index, frame in enumerate(reply.frames or []):
            if index == reply.cut_after:
                return self._drop()
            if index == reply.hold_after:
                self.fake.hold()
            self._chunk(frame)
        self._chunk(b"")  # the zero-length chunk ends the body

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _drop(self) -> None:
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)
