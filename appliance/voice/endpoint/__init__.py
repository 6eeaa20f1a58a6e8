"""Atom's Wyoming endpoint: the protocol Home Assistant and satellites speak, served by `atom serve`.

The `wyoming` package frames and names the standard events (describe/info, transcribe/transcript,
detect/detection/not-detected, synthesize, audio-start/chunk/stop); Atom's own few events, which
pair a satellite and carry its replies, are msgspec tagged structs in `events.py`. Reading is
bounded here (`framing.py`): a client on the LAN cannot make the server buffer without limit.
"""

from appliance.voice.endpoint.server import WyomingServer

__all__ = ["WyomingServer"]
