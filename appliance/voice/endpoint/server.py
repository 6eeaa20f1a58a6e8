"""The Wyoming TCP server inside `atom serve`: one asyncio server, one `Connection` per client.

Anyone may `describe`. Paired satellites (`atom-hello` with their device token) run commands and
may use the speech services; clients from `voice.allowed_addresses` (Home Assistant) may use the
speech services only: `transcribe`, `detect`, `synthesize`. Everyone else is told no and closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections import Counter

from appliance.storage import Database
from appliance.voice.assistant import Assistant
from appliance.voice.endpoint.access import AddressList
from appliance.voice.endpoint.connection import Connection
from appliance.voice.endpoint.framing import LINE_LIMIT
from appliance.voice.engine import VoiceEngine
from appliance.voice.hub import SatelliteHub

__all__ = ["WyomingServer"]

log = logging.getLogger("appliance.voice")
MAX_CONNECTIONS = 64
MAX_PER_ADDRESS = 8


class WyomingServer:
    def __init__(
        self, engine: VoiceEngine, assistant: Assistant, db: Database, hub: SatelliteHub, allowed: AddressList
    ) -> None:
        self.engine, self.assistant, self.db, self.hub, self.allowed = engine, assistant, db, hub, allowed
        self._server: asyncio.Server | None = None
        self._connections: set[Connection] = set()
        self._per_address: Counter[str] = Counter()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self, listener: socket.socket) -> None:
        self._server = await asyncio.start_server(self._accept, sock=listener, limit=LINE_LIMIT)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections):
            await connection.close()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    def disconnect_satellite(self, satellite_id: str) -> None:
        """A revoked satellite (or one whose member was disabled) is cut off at once."""
        for connection in list(self._connections):
            if connection.satellite_id == satellite_id:
                asyncio.get_running_loop().create_task(connection.close())

    def disconnect_member(self, user_id: str) -> None:
        for connection in list(self._connections):
            if connection.user_id == user_id:
                asyncio.get_running_loop().create_task(connection.close())

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        address = str((writer.get_extra_info("peername") or ("?",))[0])
        if len(self._connections) >= MAX_CONNECTIONS or self._per_address[address] >= MAX_PER_ADDRESS:
            writer.close()
            return
        connection = Connection(self, reader, writer, address)
        self._connections.add(connection)
        self._per_address[address] += 1
        try:
            await connection.run()
        finally:
            self._connections.discard(connection)
            self._per_address[address] -= 1
            if not self._per_address[address]:
                del self._per_address[address]
