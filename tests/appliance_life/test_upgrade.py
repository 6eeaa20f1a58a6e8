"""`atom upgrade` with real folders and real processes: a release built from this checkout beside the
running one, the switch, migrations, the health check, and the rollback to the old release and its
data when a migration or the health check fails."""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest
from pyrage import x25519

from appliance.errors import Conflict, UpgradeFailed
from appliance.jobs.client import lazy_server_client
from appliance.settings import Settings, load_settings
from appliance.storage.migrations import available_migrations
from appliance.system.backup import Key, list_backups, read_identities, restore_backup
from appliance.system.upgrade import Plan, Releases, Seams, upgrade
from tests.conftest import ADMIN
from tests.processes import free_port, wait_for, with_setup_code

CHECKOUT = Path(__file__).resolve().parents[2]
SHIPPED = ("appliance", "web", "models", "scripts", "pyproject.toml", "requirements.lock")
NEXT_MIGRATION = max(m.version for m in available_migrations()) + 1


def fake_release(
    folder: Path, migration: str | None = None, broken_health: bool = False, version: str = "2.0.0-test"
) -> Path:
    """This checkout's shipped files, saying `version` on /healthz; optionally one more migration, or a
    /healthz that always fails."""
    for name in SHIPPED:
        source = CHECKOUT / name
        copy = shutil.copytree if source.is_dir() else shutil.copy2
        copy(source, folder / name, **({"ignore": shutil.ignore_patterns("__pycache__")} if source.is_dir() else {}))
    marked = folder / "appliance/system/version.py"
    marked.write_text(marked.read_text() + f"\n\ndef atom_version() -> str:\n    return {version!r}\n")
    if migration is not None:
        (folder / "appliance/storage/migrations" / f"{NEXT_MIGRATION:03d}_upgrade_test.sql").write_text(migration)
    if broken_health:
        health = folder / "appliance/server/routes/health.py"
        health.write_text(health.read_text().replace("if not db.healthy:", "if True:"))
    return folder


def build_test_venv(release: Path) -> None:
    """The release's venv without downloading: a bare venv that sees the release first, then the
    packages of the venv running the tests (release-venv.sh does the real thing from the lockfile)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(release / ".venv")], check=True)
    ours = sysconfig.get_paths()["purelib"]
    theirs = next((release / ".venv/lib").glob("python3*/site-packages"))
    (theirs / "_atom_release.pth").write_text(f"{release}\nimport site; site.addsitedir({ours!r})\n")


class ReleaseProcess:
    """`atom serve` from `<root>/current`, as systemd's unit runs it (resolved at each start)."""

    def __init__(self, root: Path, settings: Settings, log: Path) -> None:
        self.root, self.settings, self.log = root, settings, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATOM_")}
        env |= {"ATOM_DATA_DIR": str(self.settings.data_dir), "ATOM_PORT": str(self.settings.server.port)}
        env |= {"ATOM_HOST": "127.0.0.1", "ATOM_VOICE_WYOMING_PORT": "0"}
        python = self.root / "current" / ".venv" / "bin" / "python"
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(  # cwd as the unit's WorkingDirectory (never this checkout)
                [str(python), "-m", "appliance", "serve"], env=env, stdout=log, stderr=log, cwd=self.settings.data_dir
            )

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)


@pytest.fixture
def box(tmp_path: Path) -> Iterator[tuple[Path, Settings, ReleaseProcess]]:
    """A box with release v1 installed behind `current`, Atom running from it, its first admin made."""
    root, data = tmp_path / "opt", tmp_path / "data"
    settings = load_settings(environ={}, data_dir=data, server={"host": "127.0.0.1", "port": free_port()})
    data.mkdir(mode=0o700)
    releases = Releases(root)
    first = releases.stage(fake_release(_fresh(tmp_path / "v1-source"), version="1.0.0-test"), "v1")
    build_test_venv(first)
    releases.switch(first)
    server = ReleaseProcess(root, settings, tmp_path / "serve.log")
    server.start()
    wait_for(lambda: _healthy(settings), "release v1 to answer")
    made = httpx.post(f"{settings.local_url}/api/setup", json=with_setup_code(data, ADMIN), timeout=30)
    assert made.status_code == 201, made.text
    yield root, settings, server
    server.stop()


def _fresh(folder: Path) -> Path:
    folder.mkdir()
    return folder


def _healthy(settings: Settings) -> bool:
    try:
        return httpx.get(f"{settings.local_url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _plan(root: Path, settings: Settings, source: Path, tag: str) -> Plan:
    return Plan(source=source, tag=tag, root=root, settings=settings, health_seconds=25)


def _seams(settings: Settings, server: ReleaseProcess, said: list[str]) -> Seams:
    return Seams(
        services=server,
        build_venv=build_test_venv,
        server=lazy_server_client(settings),
        run_as_owner=lambda command: command,
        say=said.append,
    )


def _version(settings: Settings) -> str:
    return httpx.get(f"{settings.local_url}/healthz", timeout=5).json()["version"]


def _signs_in(settings: Settings) -> bool:
    login = {"username": ADMIN["username"], "password": ADMIN["password"]}
    return httpx.post(f"{settings.local_url}/api/auth/login", json=login, timeout=30).status_code == 200


def _tables(settings: Settings) -> set[str]:
    conn = duckdb.connect(str(settings.database_path), read_only=True)
    try:
        return {row[0] for row in conn.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        conn.close()


def test_an_upgrade_switches_migrates_and_keeps_the_household(box, tmp_path: Path) -> None:
    root, settings, server = box
    source = fake_release(_fresh(tmp_path / "v2-source"), migration="CREATE TABLE upgrade_marker (id INTEGER);")
    said: list[str] = []
    new = upgrade(_plan(root, settings, source, "v2"), _seams(settings, server, said))
    assert new == root / "releases" / "v2" and Releases(root).current() == new
    assert os.readlink(root / "current") == "releases/v2"
    assert _healthy(settings) and _signs_in(settings)
    assert _version(settings) == "2.0.0-test"  # the new release's code answers
    assert not list_backups(settings.backup_folder)  # the one-time backup went once the new release answered
    assert (root / "releases" / "v1").is_dir()  # the old release stays, for a manual return
    server.stop()
    assert "upgrade_marker" in _tables(settings)
    assert any("verifying the backup" in line for line in said)


def test_a_failing_migration_rolls_back_to_the_old_release(box, tmp_path: Path) -> None:
    root, settings, server = box
    broken = "CREATE TABLE half_done (id INTEGER);\nSELECT * FROM no_such_table;"
    source = fake_release(_fresh(tmp_path / "v2-source"), migration=broken)
    with pytest.raises(UpgradeFailed, match="migrations failed.*v1 and its data are back and answering"):
        upgrade(_plan(root, settings, source, "v2"), _seams(settings, server, []))
    assert os.readlink(root / "current") == "releases/v1"
    assert _version(settings) == "1.0.0-test" and _signs_in(settings)
    server.stop()
    assert "half_done" not in _tables(settings)


def test_a_release_that_never_answers_is_rolled_back_with_its_migration_undone(box, tmp_path: Path) -> None:
    root, settings, server = box
    source = fake_release(
        _fresh(tmp_path / "v2-source"), migration="CREATE TABLE upgrade_marker (id INTEGER);", broken_health=True
    )
    with pytest.raises(UpgradeFailed, match="did not become healthy.*back and answering"):
        upgrade(_plan(root, settings, source, "v2"), _seams(settings, server, []))
    assert os.readlink(root / "current") == "releases/v1"
    assert _version(settings) == "1.0.0-test" and _signs_in(settings)
    assert not list_backups(settings.backup_folder)
    server.stop()
    assert "upgrade_marker" not in _tables(settings)  # the new release migrated; the backup put the data back


class _NeverStarts:
    """Services whose start fails, as a unit that no longer starts would: the rollback cannot finish."""

    def __init__(self, server: ReleaseProcess) -> None:
        self.server = server

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        raise OSError("atom.service would not start")


def test_a_failed_rollback_keeps_the_backup_and_the_one_key_that_opens_it(box, tmp_path: Path) -> None:
    root, settings, server = box
    source = fake_release(_fresh(tmp_path / "v2-source"), migration="SELECT * FROM no_such_table;")
    seams = dataclasses.replace(_seams(settings, server, []), services=_NeverStarts(server))
    with pytest.raises(UpgradeFailed, match="so did the rollback.*its key in .*--identity-file") as failed:
        upgrade(_plan(root, settings, source, "v2"), seams)
    [archive] = [settings.backup_folder / b.file for b in list_backups(settings.backup_folder)]
    kept = root / f"{archive.name}.key"
    assert str(kept) in str(failed.value) and kept.stat().st_mode & 0o777 == 0o600
    assert b"\n-> X25519 " in archive.read_bytes()[:200]  # sealed to a key pair: streamed, not built in memory
    restore_backup(settings, archive, Key(identities=read_identities(kept)), check_only=True)


def test_the_control_api_refuses_an_order_with_two_seals(box) -> None:  # type: ignore[no-untyped-def]
    _, settings, _ = box
    token = settings.service_token_path.read_text().strip()
    order = {"passphrase": "a household passphrase", "recipient": str(x25519.Identity.generate().to_public())}
    answer = httpx.post(
        f"{settings.local_url}/api/control/backups", json=order, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 400 and "not both" in answer.text
    assert "a household passphrase" not in answer.text


def test_a_running_job_stops_the_upgrade_before_anything_changes(box, tmp_path: Path) -> None:
    root, settings, server = box
    token = settings.service_token_path.read_text().strip()
    report = {"id": "job-1", "name": "backup", "state": "running"}
    answer = httpx.post(
        f"{settings.local_url}/api/control/job-runs", json=report, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text
    pid = server.proc.pid
    with pytest.raises(Conflict, match=r"jobs are running \(backup\)"):
        upgrade(_plan(root, settings, fake_release(_fresh(tmp_path / "v2")), "v2"), _seams(settings, server, []))
    assert server.proc.pid == pid and server.proc.poll() is None
    assert not (root / "releases" / "v2").exists() and not list_backups(settings.backup_folder)


def test_the_cli_refuses_a_tag_that_could_escape_the_releases_folder(box, tmp_path: Path) -> None:
    root, settings, _ = box
    env = {**os.environ, "ATOM_DATA_DIR": str(settings.data_dir), "ATOM_PORT": str(settings.server.port)}
    done = subprocess.run(
        [sys.executable, "-m", "appliance", "upgrade", str(tmp_path), "--tag", "../../etc", "--root", str(root)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "release tag" in done.stderr
    assert "Traceback" not in done.stderr
