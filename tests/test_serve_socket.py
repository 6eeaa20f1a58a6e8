"""The socket `atom serve` listens on: every connection it accepts sends without waiting (TCP_NODELAY).

Without it, a response written as headers then body waited for the client's delayed ACK: about
40 ms per request on a keep-alive connection, which was most of Atom's measured latency.
"""

from __future__ import annotations

import asyncio
import socket

from appliance.cli_serve import _bind


def test_connections_accepted_on_atoms_listener_send_without_delay() -> None:
    listener = _bind("127.0.0.1", 0)

    async def scenario() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def on_client(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted.set_result(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_client, sock=listener)  # as uvicorn serves it
        async with server:
            _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
            try:
                return await asyncio.wait_for(accepted, 5)
            finally:
                writer.close()

    assert asyncio.run(scenario()) != 0
