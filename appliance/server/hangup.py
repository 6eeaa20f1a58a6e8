"""Stop the work for an HTTP client that hung up.

Litestar stops a streamed body when its client leaves, but a handler still preparing its reply
(waiting for the local model, or generating a whole non-streamed reply) is not told. `until_hangup`
runs that work beside a listener for `http.disconnect` and cancels it when the client goes, so a
waiting request leaves its queue and a generation stops at its next token.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from litestar import Request

from appliance.errors import ClientGone

__all__ = ["until_hangup"]

T = TypeVar("T")


async def until_hangup(request: Request, work: Awaitable[T]) -> T:
    """The result of `work`, unless the client hangs up first: then `work` is cancelled and ClientGone raised.

    Call it after the body has been read (the handler's `data`), and return before streaming:
    a streamed body listens for the hang-up itself.
    """
    working = asyncio.ensure_future(work)
    listening = asyncio.ensure_future(_hung_up(request))
    try:
        done, _ = await asyncio.wait({working, listening}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        listening.cancel()
        if not working.done():
            working.cancel()
            await asyncio.gather(working, return_exceptions=True)  # let it clean up: leave the queue, stop
    if working in done or not working.cancelled():
        return working.result()
    raise ClientGone("the client hung up before its reply was ready")


async def _hung_up(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass  # the body was read already: nothing else is expected before the hang-up
