"""`atom`: serve, worker, migrate, users, tokens. Thin: parse, call, print.

User and token commands work on the database directly when no server is
running; when `atom serve` already owns it, they go through its control API
with the service token, so the same command works either way.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from appliance.cli_admin import add_admin_commands
from appliance.cli_backup import add_backup_commands
from appliance.cli_knowledge import add_knowledge_commands
from appliance.cli_models import add_model_commands
from appliance.cli_tls import add_tls_commands
from appliance.cli_upgrade import add_upgrade_commands
from appliance.cli_voice import add_voice_commands
from appliance.datadir import make_private
from appliance.errors import AtomError, StartupRefused
from appliance.settings import Settings, load_settings

__all__ = ["main"]

Command = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        settings = load_settings(**_overrides(args))
        os.umask(0o077)  # every file Atom makes is its user's alone
        make_private(settings.data_dir)
        return args.run(args, settings)
    except StartupRefused as exc:
        print(f"atom: refusing to start: {exc}", file=sys.stderr)
        return 1
    except AtomError as exc:
        print(f"atom: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="atom", description="Atom, the household AI appliance.")
    parser.add_argument("--data-dir", help="data folder (default: ./data, or ATOM_DATA_DIR)")
    commands = parser.add_subparsers(title="commands")
    serve = commands.add_parser("serve", help="run the web server (owns the database)")
    serve.add_argument("--host", help="listen address (ATOM_HOST)")
    serve.add_argument("--port", type=int, help="listen port (ATOM_PORT)")
    serve.set_defaults(run=_serve)
    commands.add_parser("worker", help="run the background job worker").set_defaults(run=_worker)
    commands.add_parser("migrate", help="apply database migrations and exit").set_defaults(run=_migrate)
    add_admin_commands(commands)
    add_model_commands(commands)
    add_knowledge_commands(commands)
    add_tls_commands(commands)
    add_backup_commands(commands)
    add_voice_commands(commands)
    add_upgrade_commands(commands)
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if args.data_dir:
        overrides["data_dir"] = args.data_dir
    server = {k: getattr(args, k, None) for k in ("host", "port")}
    if any(v is not None for v in server.values()):
        overrides["server"] = {k: v for k, v in server.items() if v is not None}
    return overrides


def _serve(_: argparse.Namespace, settings: Settings) -> int:
    from appliance.cli_serve import serve
    from appliance.logs import configure_logging

    configure_logging(settings.log)
    return serve(settings)


def _worker(_: argparse.Namespace, settings: Settings) -> int:
    from appliance.jobs.worker import run_worker
    from appliance.logs import configure_logging

    configure_logging(settings.log)
    run_worker(settings)
    return 0


def _migrate(_: argparse.Namespace, settings: Settings) -> int:
    from appliance.runtime import open_runtime
    from appliance.storage import schema_version

    runtime = open_runtime(settings)
    try:
        print(f"database {settings.database_path} at schema version {schema_version(runtime.db)}")
    finally:
        runtime.close()
    return 0
