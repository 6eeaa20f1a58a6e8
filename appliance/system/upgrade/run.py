"""`atom upgrade`: a new release beside the old, switched to only when it migrates and answers.

1. Preflight: the server says no job is running; every disk has room for the release, its venv
   and a backup.
2. A backup by the server (it owns the database), encrypted to a one-time age key pair whose secret
   half only this process holds, in memory; then verified (decrypted, every sha256 checked) before
   anything stops. A key pair, not a passphrase: age streams to a public key, so the archive is
   never built in memory (pyrage's passphrase API takes whole byte strings).
3. The new release copied to `releases/<tag>` and its venv built, while the old one still serves.
4. Stop, switch `current`, migrate the data with the new release, start, health check.
5. On any failure in 4: stop, switch back, restore the backup, start the old release, check it.
The backup is deleted once the new release answers (it opens only with the forgotten secret key).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyrage import x25519

from appliance.errors import AtomError, Conflict, ServiceUnavailable, UpgradeFailed
from appliance.settings import Settings
from appliance.system.backup import Key, restore_backup
from appliance.system.shapes import BackupOrder
from appliance.system.upgrade.preflight import running_job_names, space_problems, tree_bytes
from appliance.system.upgrade.releases import Releases
from appliance.system.upgrade.services import Services, wait_healthy

__all__ = ["Plan", "Seams", "upgrade"]

_BACKUP_SECONDS = 4 * 3600.0


@dataclass(frozen=True)
class Plan:
    source: Path  # an unpacked release (or checkout) or a release tarball
    tag: str
    root: Path  # holds releases/ and current
    settings: Settings
    health_seconds: float = 180.0
    keep_releases: int = 3


@dataclass(frozen=True)
class Seams:
    """The edges an upgrade drives: systemd and pip on the box, real processes in tests."""

    services: Services
    build_venv: Callable[[Path], None]  # make `<release>/.venv` from the release's lockfile
    server: Callable[[], Any]  # a client of the running server's control API
    run_as_owner: Callable[[list[str]], list[str]]  # a command, run as the data folder's owner
    say: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)


def upgrade(plan: Plan, seams: Seams) -> Path:
    """Upgrade to `plan.source`; returns the new release, or raises with the old one running again."""
    releases = Releases(plan.root)
    old = releases.current()
    if releases.path(plan.tag).exists():
        raise Conflict(f"release {plan.tag} already exists: choose another tag")
    _preflight(plan, seams, old)
    one_time = Key(identities=[str(x25519.Identity.generate())])
    archive = _backup_and_verify(plan, seams, one_time)
    try:
        new = _prepare(plan, seams, releases)
    except BaseException:
        archive.unlink(missing_ok=True)  # nothing was stopped; the household's own backups are untouched
        raise
    seams.say("stopping Atom")
    seams.services.stop()
    try:
        _switch_and_start(plan, seams, releases, new)
    except (AtomError, OSError, subprocess.SubprocessError) as exc:
        _roll_back(plan, seams, releases, old, archive, one_time, exc)
    archive.unlink(missing_ok=True)
    gone = releases.prune(plan.keep_releases)
    seams.say(f"upgraded to {plan.tag}" + (f"; removed {len(gone)} old release(s)" if gone else ""))
    return new


def _preflight(plan: Plan, seams: Seams, old: Path) -> None:
    seams.say("preflight: asking the server about running jobs")
    api = seams.server()
    try:
        running = running_job_names(api.call("GET", "/api/control/jobs/running"))
    except ServiceUnavailable as exc:
        raise Conflict(f"{exc}: start Atom first; an upgrade asks it about jobs and for a backup") from None
    if running:
        raise Conflict(f"jobs are running ({', '.join(running)}): wait for them to finish, then upgrade")
    data = tree_bytes(plan.settings.data_dir) - tree_bytes(plan.settings.data_dir / "models")
    problems = space_problems(
        {plan.root: _release_bytes(plan.source) + tree_bytes(old / ".venv"), plan.settings.backup_folder: data}
    )
    if problems:
        raise Conflict("not enough free space: " + "; ".join(problems))


def _release_bytes(source: Path) -> int:
    """A folder's size, or a tarball's unpacked size guessed at four times the compressed one."""
    return source.stat().st_size * 4 if source.is_file() else tree_bytes(source)


def _backup_and_verify(plan: Plan, seams: Seams, key: Key) -> Path:
    seams.say("backing up the data folder")
    public = str(x25519.Identity.from_str(key.identities[0]).to_public())
    order = BackupOrder(recipient=public, one_time=True)
    made = seams.server().call("POST", "/api/control/backups", order, _BACKUP_SECONDS)
    archive = plan.settings.backup_folder / made["file"]
    seams.say(f"verifying the backup {archive.name}")
    try:
        restore_backup(plan.settings, archive, key, check_only=True)
    except BaseException:
        archive.unlink(missing_ok=True)
        raise
    return archive


def _prepare(plan: Plan, seams: Seams, releases: Releases) -> Path:
    seams.say(f"preparing release {plan.tag} beside the running one")
    before = os.umask(0o022)  # the release is root's, readable by the atom user
    try:
        new = releases.stage(plan.source, plan.tag)
        try:
            seams.build_venv(new)
        except BaseException:
            releases.remove(new)
            raise
    finally:
        os.umask(before)
    return new


def _switch_and_start(plan: Plan, seams: Seams, releases: Releases, new: Path) -> None:
    releases.switch(new)
    seams.say("migrating the data with the new release")
    _migrate(plan, seams, new)
    seams.say("starting the new release")
    seams.services.start()
    problem = wait_healthy(plan.settings.local_url, plan.health_seconds, verify=not plan.settings.tls)
    if problem:
        raise ServiceUnavailable(f"the new release did not become healthy: {problem}")


def _migrate(plan: Plan, seams: Seams, release: Path) -> None:
    command = [str(release / ".venv" / "bin" / "python"), "-m", "appliance"]
    command += ["--data-dir", str(plan.settings.data_dir), "migrate"]
    # cwd: `python -m` puts it first on sys.path, so it must hold no other copy of Atom's code
    done = subprocess.run(
        seams.run_as_owner(command), cwd=release, capture_output=True, text=True, timeout=3600, check=False
    )
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no message"]
        raise AtomError(f"migrations failed: {lines[-1][:300]}")  # the error, not its traceback


def _roll_back(
    plan: Plan, seams: Seams, releases: Releases, old: Path, archive: Path, key: Key, cause: BaseException
) -> None:
    seams.say(f"upgrade failed ({cause}); rolling back to {old.name} and the backup")
    try:
        seams.services.stop()
        releases.switch(old)
        restore_backup(plan.settings, archive, key)
        _hand_back(plan.settings.data_dir)
        seams.services.start()
        problem = wait_healthy(plan.settings.local_url, plan.health_seconds, verify=not plan.settings.tls)
    except (AtomError, OSError, subprocess.SubprocessError) as exc:
        kept = _keep_key(plan.root, archive, key)
        raise UpgradeFailed(
            f"upgrade failed ({cause}) and so did the rollback ({exc}); current points at {releases.current().name}; "
            f"the backup is {archive}, its key in {kept} (root only): `atom restore {archive} --identity-file {kept}`"
        ) from exc
    archive.unlink(missing_ok=True)
    if problem:
        raise UpgradeFailed(f"upgrade failed ({cause}); rolled back, but the old release is not healthy: {problem}")
    raise UpgradeFailed(f"upgrade failed ({cause}); {old.name} and its data are back and answering") from cause


def _hand_back(data_dir: Path) -> None:
    """Files a root-run restore made belong to the data folder's owner, like the rest of it."""
    if os.geteuid() != 0:
        return
    owner = data_dir.stat()
    for folder, dirs, files in os.walk(data_dir):
        for name in [*dirs, *files]:
            os.lchown(os.path.join(folder, name), owner.st_uid, owner.st_gid)


def _keep_key(root: Path, archive: Path, key: Key) -> Path:
    path = root / f"{archive.name}.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(f"# the secret key of {archive.name}, kept because an upgrade's rollback failed\n")
        out.write("\n".join(key.identities) + "\n")
    return path
