"""`atom tls create`: HTTPS for the LAN with a household certificate authority."""

from __future__ import annotations

import argparse
from typing import Any

from appliance.errors import InvalidInput
from appliance.settings import Settings
from appliance.system.network import box_names, lan_addresses
from appliance.system.tls import create_household_tls

__all__ = ["add_tls_commands"]


def add_tls_commands(commands: Any) -> None:
    tls = commands.add_parser("tls", help="HTTPS for the LAN").add_subparsers(title="tls commands")
    create = tls.add_parser("create", help="make a household CA (once) and a server certificate")
    create.add_argument("--hostname", action="append", default=[], help="a name devices use (repeatable)")
    create.add_argument("--ip", action="append", default=[], help="an address devices use (repeatable)")
    create.add_argument(
        "--new-ca", action="store_true", help="replace the household CA (devices must trust the new one)"
    )
    create.set_defaults(run=_create)


def _create(args: argparse.Namespace, settings: Settings) -> int:
    names = args.hostname or box_names()
    addresses = list(dict.fromkeys([*(args.ip or lan_addresses()), "127.0.0.1"]))
    try:
        files = create_household_tls(settings.data_dir / "tls", names, addresses, new_ca=args.new_ca)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    print(f"server certificate for {', '.join(names + addresses)}:")
    print(f"  ATOM_SERVER_TLS_CERT_FILE={files.server_cert.resolve()}")
    print(f"  ATOM_SERVER_TLS_KEY_FILE={files.server_key.resolve()}")
    print(
        f"Trust {files.ca_cert.resolve()} once on each phone and computer, then open https://{names[0]}:"
        f"{settings.server.port}/ and install Atom from the browser's menu."
    )
    return 0
