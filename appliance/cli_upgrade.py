"""`atom upgrade SOURCE`: install a new release beside the running one, and roll back if it fails.

Run as root on the box (it stops and starts the systemd units and writes under the release root):
    sudo /opt/atom/current/.venv/bin/atom --data-dir /var/lib/atom upgrade ./atom-0.2.0.tar.gz
"""

from __future__ import annotations

import argparse
import os
import pwd
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from appliance import clock
from appliance.errors import InvalidInput
from appliance.settings import Settings, load_settings
from appliance.system.upgrade import Plan, Seams, Systemd, upgrade

__all__ = ["add_upgrade_commands"]

_ENV_FILE = Path("/etc/atom/atom.env")


def add_upgrade_commands(commands: Any) -> None:
    up = commands.add_parser("upgrade", help="upgrade to a new release; rolls back on failure (run as root)")
    up.add_argument("source", type=Path, help="the new release: an unpacked folder or a .tar.gz")
    up.add_argument("--tag", help="its name under releases/ (default: its version and the time)")
    up.add_argument("--root", type=Path, help="the folder holding releases/ and current (default: this one's)")
    up.add_argument("--env-file", type=Path, default=_ENV_FILE, help="ATOM_* settings the units use")
    up.set_defaults(run=_upgrade)


def _upgrade(args: argparse.Namespace, settings: Settings) -> int:
    settings = _with_env_file(args.env_file, settings)
    source = args.source.resolve()
    if not source.exists():
        raise InvalidInput(f"{source} does not exist")
    plan = Plan(source=source, tag=args.tag or _default_tag(source), root=_root(args.root), settings=settings)
    new = upgrade(plan, _seams(settings))
    print(f"Atom now runs {new}")
    return 0


def _seams(settings: Settings) -> Seams:
    from appliance.jobs.client import lazy_server_client

    return Seams(
        services=Systemd(),
        build_venv=_build_venv,
        server=lazy_server_client(settings),
        run_as_owner=lambda command: _as_owner(settings.data_dir, command),
    )


def _build_venv(release: Path) -> None:
    subprocess.run(["bash", str(release / "scripts" / "release-venv.sh"), str(release)], check=True)


def _as_owner(data_dir: Path, command: list[str]) -> list[str]:
    """Root runs the migrations as the data folder's owner (the atom user), so its files stay theirs."""
    owner = data_dir.stat().st_uid
    if os.geteuid() != 0 or owner == 0:
        return command
    return ["runuser", "-u", pwd.getpwuid(owner).pw_name, "--", *command]


def _root(given: Path | None) -> Path:
    """`--root`, or the root this Atom runs from (`<root>/releases/<tag>/.venv`)."""
    if given is not None:
        return given.resolve()
    release = Path(sys.prefix).resolve().parent
    if release.parent.name != "releases":
        raise InvalidInput("this Atom is not installed as a release (see systemd/install.sh): pass --root")
    return release.parent.parent


def _default_tag(source: Path) -> str:
    version = "release"
    if source.is_dir() and (source / "pyproject.toml").is_file():
        version = tomllib.loads((source / "pyproject.toml").read_text())["project"]["version"]
    return f"{version}-{clock.now().strftime('%Y%m%dT%H%M%SZ')}"


def _with_env_file(path: Path, settings: Settings) -> Settings:
    """The settings the units see: their environment file's ATOM_* lines under this shell's."""
    if not path.is_file():
        return settings
    lines = (line.strip() for line in path.read_text().splitlines())
    pairs = dict(line.split("=", 1) for line in lines if line and not line.startswith("#") and "=" in line)
    env = {**{k.strip(): v.strip().strip("'\"") for k, v in pairs.items() if k.startswith("ATOM_")}, **os.environ}
    return load_settings(environ=env, data_dir=settings.data_dir)
