"""`atom serve`: bind the port, open the data folder, run the web server, greet the person.

The greeting is one block printed when the server answers: the addresses to open from other
devices, whether first-run setup is still needed (with its one-time code), and the data folder.
What stops Atom from starting (a port in use, an unwritable folder) is one line, not a traceback.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import socket
import sys
from collections.abc import Callable

import uvicorn

from appliance.ai.models import require_model
from appliance.errors import ModelMissing, StartupRefused
from appliance.runtime import Runtime, open_runtime
from appliance.settings import Settings
from appliance.system.announce import Announcer, Choice, avahi_running, choose
from appliance.system.network import box_names, lan_addresses
from appliance.system.sdnotify import Watchdog, notify, serving_alive, watchdog_period

__all__ = ["serve", "greeting"]


def serve(settings: Settings) -> int:
    from appliance.server import create_app

    listener = _bind(settings.server.host, settings.server.port)
    voice_port = settings.voice.wyoming_port
    wyoming = _bind(settings.server.host, voice_port, _VOICE_PORT) if voice_port else None
    runtime = open_runtime(settings)
    runtime.wyoming_listener = wyoming
    tls = settings.tls
    config = uvicorn.Config(
        create_app(runtime),
        log_config=None,
        ws="websockets-sansio",
        ssl_certfile=settings.server.tls_cert_file if tls else None,
        ssl_keyfile=settings.server.tls_key_file if tls else None,
    )
    server = uvicorn.Server(config)
    asyncio.run(_serve_and_greet(server, listener, lambda: greeting(runtime), runtime))
    return 0


async def _serve_and_greet(
    server: uvicorn.Server, listener: socket.socket, message: Callable[[], str], runtime: Runtime
) -> None:
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started and not serving.done():
        await asyncio.sleep(0.05)
    if not server.started:
        await serving
        return
    _freeze_start_up_objects()
    print(message(), file=sys.stderr, flush=True)
    watchdog = _tell_systemd_ready(runtime)
    announcer = await asyncio.to_thread(_announce, runtime.settings)
    try:
        await _until_told_to_stop(server, serving)
    finally:
        notify("STOPPING=1")
        if watchdog:
            watchdog.stop()
        if announcer:
            await asyncio.to_thread(announcer.close)
    await serving


def _announce(settings: Settings) -> Announcer | None:
    """Announce `_http._tcp` with python-zeroconf only where avahi-daemon does not (see system/announce.py)."""
    if choose(settings.server.host, avahi_running()) is not Choice.ZEROCONF:
        return None
    try:
        return Announcer(settings.server.port)
    except OSError as exc:  # no multicast on this network: Atom still serves by address
        print(f"  (not announced on the LAN: {exc})", file=sys.stderr, flush=True)
        return None


def _tell_systemd_ready(runtime: Runtime) -> Watchdog | None:
    """READY=1 once the port answers; then watchdog pings while the loop and the writer make progress."""
    notify("READY=1")
    period = watchdog_period()
    if period is None:
        return None
    return Watchdog(serving_alive(asyncio.get_running_loop(), runtime.db, answer_within=period), period).start()


async def _until_told_to_stop(server: uvicorn.Server, serving: asyncio.Task[None]) -> None:
    while not server.should_exit and not serving.done():
        await asyncio.sleep(0.2)


def _freeze_start_up_objects() -> None:
    """Leave the objects made at start-up (modules, the app, routes) out of every later collection.

    A full collection otherwise walks all of them, about 90 000, and stops every request for
    tens of milliseconds each time; frozen, it walks only what requests have made since.
    """
    gc.collect()
    gc.freeze()


def greeting(runtime: Runtime) -> str:
    """What a person needs once Atom answers: where to open it, what to do first, where data lives."""
    settings = runtime.settings
    lines = ["", "Atom is running.", *_open_lines(settings), ""]
    if runtime.setup_code:
        lines += [
            "  First-run setup: open Atom in a browser and create the household's admin.",
            f"  One-time setup code: {runtime.setup_code}",
            "",
        ]
    lines += [f"  Data folder: {settings.data_dir.resolve()}", *_model_lines(settings), ""]
    return "\n".join(lines)


def _open_lines(settings: Settings) -> list[str]:
    scheme, port = ("https" if settings.tls else "http"), settings.server.port
    host = settings.server.host
    if host in ("0.0.0.0", "::", ""):
        hosts = [*lan_addresses(), *[n for n in box_names() if n.endswith(".local")]] or ["localhost"]
    else:
        hosts = [host]
    urls = [f"{scheme}://{name}:{port}/" for name in hosts]
    lines = [f"  Open from any device on your network:  {urls[0]}"]
    lines += [f"                                    or:  {url}" for url in urls[1:]]
    if host in ("0.0.0.0", "::", "", "127.0.0.1", "localhost"):
        lines.append(f"  On this machine:                        {scheme}://localhost:{port}/")
    return lines


def _model_lines(settings: Settings) -> list[str]:
    try:
        require_model(settings.data_dir, settings.ai.local_model, "chat")
    except ModelMissing as exc:
        return [f"  ! Local chat is off: {exc}"]
    return []


_VOICE_PORT = "ATOM_VOICE_WYOMING_PORT"


def _bind(host: str, port: int, setting: str = "ATOM_PORT") -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Naming TCP makes asyncio set TCP_NODELAY on every accepted connection: without it a response
    # written as headers then body waits for the client's delayed ACK (40 ms per request).
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host or "0.0.0.0", port))
    except OSError as exc:
        listener.close()
        raise StartupRefused(_bind_problem(host, port, exc, setting)) from None
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener


def _bind_problem(host: str, port: int, exc: OSError, setting: str = "ATOM_PORT") -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} is already in use (is Atom already running?): stop that program or set {setting}"
    if exc.errno == errno.EACCES:
        return f"this user may not listen on port {port}: choose a port above 1023 with {setting}"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine: set ATOM_HOST to one of its addresses or 0.0.0.0"
    return f"cannot listen on {host}:{port}: {exc.strerror}"
