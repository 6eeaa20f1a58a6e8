"""`atom satellite`: run a voice satellite, or pair one (`atom satellite pair`)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

import msgspec

from appliance.errors import InvalidInput
from appliance.settings import Settings

__all__ = ["add_voice_commands"]


def add_voice_commands(commands: Any) -> None:
    satellite = commands.add_parser("satellite", help="run a voice satellite (microphone, speaker, Wyoming)")
    satellite.add_argument("--server", help="Atom's Wyoming endpoint, tcp://host:port (satellite.server)")
    satellite.add_argument("--source", help="mic://, file:///a.wav[,/b.wav] or stdin:// (satellite.source)")
    satellite.add_argument("--sink", help="speaker://, file:///folder or null:// (satellite.sink)")
    satellite.add_argument("--token-file", help="the device token from pairing (satellite.token_file)")
    satellite.set_defaults(run=_run)
    actions = satellite.add_subparsers(title="satellite commands")
    pair = actions.add_parser("pair", help="pair a satellite and print its device token once")
    pair.add_argument("--name", required=True, help="what to call it (kitchen speaker)")
    pair.add_argument("--room", required=True, help="the room it stands in")
    pair.add_argument("--member", help="the member it speaks as (default: the household)")
    pair.set_defaults(run=_pair)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from appliance.voice.satellite import open_sink, open_source, run_satellite
    from appliance.voice.wake import find_detector

    config = settings.satellite
    token_path = os.path.expanduser(args.token_file) if args.token_file else settings.satellite_token_path
    try:
        with open(token_path) as file:
            token = file.read().strip()
    except OSError as exc:
        raise InvalidInput(f"cannot read the device token at {token_path} ({exc.strerror}): pair first") from None

    async def go() -> None:
        source = open_source(args.source or config.source)  # the microphone needs the running loop
        voice = settings.voice
        wake = await asyncio.to_thread(find_detector, settings.data_dir, voice.wake_sensitivity, voice.wake_one_breath)
        sink = open_sink(args.sink or config.sink)
        await run_satellite(args.server or config.server, token, source, sink, wake)

    try:
        asyncio.run(go())
    except (ConnectionError, OSError) as exc:
        print(f"atom satellite: cannot reach Atom at {args.server or config.server}: {exc}", file=sys.stderr)
        return 1
    return 0


def _pair(args: argparse.Namespace, settings: Settings) -> int:
    from appliance.cli_admin import dispatch
    from appliance.server.routes.voice import OperatorPairing
    from appliance.voice.satellites import NewSatellite, SatelliteCreate, pair_for_operator

    request = SatelliteCreate(name=args.name, room=args.room, household=args.member is None)

    async def offline(rt: Any) -> NewSatellite:
        return await pair_for_operator(rt.db, args.member, request)

    def online(api: Any) -> NewSatellite:
        body = OperatorPairing(satellite=request, username=args.member)
        return msgspec.convert(api.call("POST", "/api/control/voice/satellites", body), NewSatellite)

    new = dispatch(settings, offline=offline, online=online)
    print(new.token)
    speaker = args.member or "the household"
    print(f"Paired {new.satellite.name!r} in {new.satellite.room}, speaking as {speaker}.", file=sys.stderr)
    print("This device token is shown once: put it in the satellite's token file.", file=sys.stderr)
    return 0
