"""Voice in `atom serve`: the Wyoming endpoint started and stopped with the app, and the
assistant it acts through (the chat coordinator, as the satellite's identity, in its room)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from appliance.accounts.credentials import valid_until
from appliance.ai.chat import ChatReply, Failed, Piece
from appliance.assistant import AssistReply, assist, household_words
from appliance.errors import AtomError
from appliance.runtime import Runtime
from appliance.server.routes.assist import tool_context
from appliance.voice.allowed import address_list
from appliance.voice.assistant import Spoken, spoken_words
from appliance.voice.endpoint import WyomingServer
from appliance.voice.satellites import SatelliteIdentity, satellite_active
from appliance.voice.satellites.shapes import household_principal

__all__ = ["VoiceAssistant", "start_voice", "stop_voice"]

log = logging.getLogger("appliance.voice")
_CONVERSATION_SECONDS = 600  # a satellite's commands within this of each other share a conversation


class VoiceAssistant:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._conversations: dict[str, tuple[str, float]] = {}

    async def words(self, who: SatelliteIdentity | None) -> Sequence[str]:
        principal = who.principal if who is not None else household_principal("")
        ctx = await tool_context(self._runtime, principal, None)
        found = await household_words(ctx)
        return [word for values in found.values() for word in values]

    async def act(self, who: SatelliteIdentity, text: str) -> Spoken:
        satellite = who.satellite
        if not await self._still_allowed(who):
            return Spoken(text="", tool="revoked", acted=False)
        room = satellite.room or None  # a browser's push-to-talk stands in no room
        ctx = await tool_context(self._runtime, who.principal, self._conversation(satellite.id), room)
        try:
            answer = await assist(self._runtime.assistant, ctx, text)
        except AtomError as exc:
            return Spoken(text=f"Sorry, I can't do that now. {exc}", tool="error", acted=False)
        if isinstance(answer, ChatReply):
            reply = await _whole(answer)
            self._conversations[satellite.id] = (answer.turn.conversation.id, time.monotonic())
            return Spoken(text=spoken_words(reply), tool="chat", acted=False)
        self._conversations[satellite.id] = (answer.conversation_id, time.monotonic())
        return _spoken(answer)

    async def _still_allowed(self, who: SatelliteIdentity) -> bool:
        """A satellite not revoked (nor its member disabled); a browser's sign-in not ended."""
        if who.principal.via != "satellite":
            return await valid_until(self._runtime.db, who.principal) is not None
        if await satellite_active(self._runtime.db, who.satellite.id):
            return True
        if self._runtime.wyoming is not None:
            self._runtime.wyoming.disconnect_satellite(who.satellite.id)
        return False

    def _conversation(self, satellite_id: str) -> str | None:
        kept = self._conversations.get(satellite_id)
        if kept is None or time.monotonic() - kept[1] > _CONVERSATION_SECONDS:
            return None
        return kept[0]


def _spoken(answer: AssistReply) -> Spoken:
    stop = isinstance(answer.data, dict) and bool(answer.data.get("stop"))
    return Spoken(text=spoken_words(answer.reply), tool=answer.understood.tool, acted=answer.acted, stop=stop)


async def _whole(reply: ChatReply) -> str:
    parts: list[str] = []
    async for event in reply.events():
        if isinstance(event, Piece):
            parts.append(event.text)
        elif isinstance(event, Failed):
            parts.append(event.detail)
    return "".join(parts).strip()


async def start_voice(runtime: Runtime) -> WyomingServer | None:
    """Serve Wyoming on the listener `atom serve` bound (none: voice is off, as in an app made
    for a test); the models load on first use."""
    settings, listener = runtime.settings, runtime.wyoming_listener
    if listener is None:
        return None
    runtime.wyoming_listener = None
    allowed = await address_list(runtime.db, settings)
    server = WyomingServer(runtime.voice, VoiceAssistant(runtime), runtime.db, runtime.satellites, allowed)
    await server.start(listener)
    runtime.wyoming = server
    log.info("wyoming endpoint listening on port %s", server.port)
    return server


async def stop_voice(runtime: Runtime, server: WyomingServer | None) -> None:
    """Stop the server this app started (another app on the same runtime leaves it alone)."""
    if server is None:
        return
    await server.close()
    if runtime.wyoming is server:
        runtime.wyoming = None
