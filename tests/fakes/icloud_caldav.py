"""The sign-in host of a CalDAV service that keeps calendars on another host, as iCloud does.

iCloud answers at https://caldav.icloud.com/: `/.well-known/caldav` leads to the member's principal,
whose `calendar-home-set` is an absolute URL on another host (https://pNN-caldav.icloud.com/<id>/
calendars/). This fake answers those PROPFINDs (RFC 4918 multistatus, RFC 4791 and RFC 5397
properties), over TLS, after Basic authentication; the calendars themselves live elsewhere (a real
Radicale in the tests). `home` is whatever the test makes it point at.
"""

from __future__ import annotations

import base64
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["ICloudFront"]

PRINCIPAL = "/1234567/principal/"


class ICloudFront:
    def __init__(self, cert: Path, key: Path, username: str, password: str, home: str) -> None:
        self.home = home
        self.requests: list[tuple[str, str]] = []  # (method, path) as received
        self._credentials = base64.b64encode(f"{username}:{password}".encode()).decode()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._server.front = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def __enter__(self) -> ICloudFront:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def signed_in(self, authorization: str | None) -> bool:
        return authorization == f"Basic {self._credentials}"


class _Handler(BaseHTTPRequestHandler):
    def do_PROPFIND(self) -> None:
        front: ICloudFront = self.server.front  # type: ignore[attr-defined]
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        front.requests.append((self.command, self.path))
        if not front.signed_in(self.headers.get("Authorization")):
            self._answer(401, b"", {"WWW-Authenticate": 'Basic realm="test"'})
        elif self.path.startswith("/.well-known/caldav"):
            self._answer(301, b"", {"Location": PRINCIPAL})
        elif self.path == PRINCIPAL:
            self._answer(207, _principal(front.home), {"Content-Type": "application/xml; charset=utf-8"})
        else:
            self._answer(404, b"", {})

    do_GET = do_PUT = do_REPORT = do_DELETE = do_PROPFIND

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


def _principal(home: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        f"<d:response><d:href>{PRINCIPAL}</d:href><d:propstat><d:prop>"
        f"<d:current-user-principal><d:href>{PRINCIPAL}</d:href></d:current-user-principal>"
        f"<c:calendar-home-set><d:href>{home}</d:href></c:calendar-home-set>"
        "<d:resourcetype><d:principal/></d:resourcetype>"
        "</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"
    ).encode()
