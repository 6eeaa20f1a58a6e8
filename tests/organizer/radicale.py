"""A real Radicale CalDAV server for the sync tests: its own process, a free loopback port, a temp folder,
over plain HTTP or TLS with a certificate from a private CA (like a NAS); and a front that serves it
under /dav/ and answers /.well-known/caldav, laid out like Nextcloud.

And a "phone": the caldav library (an independent CalDAV client) acting on the same calendar.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import caldav
import httpx

from appliance.system.tls import TlsFiles
from tests.processes import free_port, listens_on

__all__ = ["Radicale", "start_radicale", "behind_a_prefix", "USER", "PASSWORD"]

USER, PASSWORD = "ada", "radicale-secret-1"
_PORT_TRIES = 5


@dataclass
class Radicale:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    ca_file: Path | None = None

    def phone(self) -> caldav.DAVClient:
        verify: bool | str = str(self.ca_file) if self.ca_file else True
        return caldav.DAVClient(url=self.url, username=USER, password=PASSWORD, ssl_verify_cert=verify)

    def calendar(self, cal_id: str = "family") -> caldav.Calendar:
        """The calendar as the phone sees it (made on first use)."""
        principal = self.phone().principal()
        for found in principal.calendars():
            if str(found.url).rstrip("/").endswith(f"/{cal_id}"):
                return found
        return principal.make_calendar(name=cal_id.title(), cal_id=cal_id)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def start_radicale(folder: Path, tls: TlsFiles | None = None, port: int | None = None) -> Radicale:
    """Radicale on `port` (a free one by default); over TLS with `tls`'s server certificate when given.

    A free port may be taken by another server before Radicale binds it (parallel runs): then
    Radicale stops at once saying so, and starts again on another (a `port` given is kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "users").write_text(f"{USER}:{PASSWORD}\n")
    for _ in range(_PORT_TRIES if port is None else 1):
        chosen = port or free_port()
        process, log, logged_before = _spawn(folder, tls, chosen)
        if _came_up(chosen, process, log, logged_before):
            scheme = "https" if tls else "http"
            ca_file = tls.ca_cert if tls else None
            return Radicale(url=f"{scheme}://127.0.0.1:{chosen}/", process=process, log=log, ca_file=ca_file)
    raise RuntimeError(
        f"radicale found its port taken {_PORT_TRIES if port is None else 1} times: {log.read_text()[-2000:]}"
    )


def _spawn(folder: Path, tls: TlsFiles | None, port: int) -> tuple[subprocess.Popen[bytes], Path, int]:
    """Radicale started on `port`, its log, and where in the log this start begins."""
    config = folder / "config"
    secure = f"ssl = True\ncertificate = {tls.server_cert}\nkey = {tls.server_key}\n" if tls else ""
    config.write_text(
        f"""[server]
hosts = 127.0.0.1:{port}
{secure}[auth]
type = htpasswd
htpasswd_filename = {folder / "users"}
htpasswd_encryption = plain
[rights]
type = owner_only
[storage]
filesystem_folder = {folder / "collections"}
[logging]
level = warning
"""
    )
    log = folder / "radicale.log"
    with log.open("ab") as out:
        logged_before = out.tell()
        process = subprocess.Popen([sys.executable, "-m", "radicale", "--config", str(config)], stdout=out, stderr=out)
    return process, log, logged_before


@contextmanager
def behind_a_prefix(radicale: Radicale, well_known: str = "/dav/") -> Iterator[str]:
    """A front on its own port serving Radicale under /dav/ (as Nextcloud serves /remote.php/dav/):
    `/.well-known/caldav` redirects to `well_known`, and the root answers nothing DAV. Yields its URL."""
    upstream = httpx.Client(base_url=radicale.url, timeout=30)

    class Front(BaseHTTPRequestHandler):
        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/.well-known/caldav"):
                self._answer(301, b"", {"Location": well_known})
            elif not self.path.startswith("/dav/"):
                self._answer(404, b"not here", {})
            else:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                answer = upstream.request(
                    self.command,
                    self.path.removeprefix("/dav"),
                    content=body,
                    headers={**headers, "X-Script-Name": "/dav"},
                )
                kept = {k: v for k, v in answer.headers.items() if k.lower() in ("content-type", "etag", "location")}
                self._answer(answer.status_code, answer.content, kept)

        def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_OPTIONS = _relay

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Front)  # port 0: no one can take it before it serves
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        upstream.close()


def _came_up(port: int, process: subprocess.Popen[bytes], log: Path, logged_before: int, timeout: float = 20) -> bool:
    """True once Radicale listens; False when it stopped because its port is in use."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_bytes()[logged_before:].decode(errors="replace")
            if "Address already in use" in said:
                return False
            raise RuntimeError(f"radicale stopped: {said[-2000:]}")
        if listens_on(process.pid, port):
            return True
        time.sleep(0.1)
    raise TimeoutError(f"radicale did not listen on {port}: {log.read_text()[-2000:]}")
