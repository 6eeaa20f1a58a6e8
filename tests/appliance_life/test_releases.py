"""The pieces of an upgrade on their own: release folders and the link, disk space, the lockfile."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from appliance.errors import Conflict, InvalidInput
from appliance.system.upgrade import Releases
from appliance.system.upgrade.preflight import space_problems

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024


def _release(folder: Path, marker: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(f"# {marker}\n")
    return folder


def test_staging_copies_whole_and_switching_moves_the_link(tmp_path: Path) -> None:
    releases = Releases(tmp_path / "opt")
    source = _release(tmp_path / "src", "one")
    (source / ".venv").mkdir()
    (source / "data").mkdir()
    first = releases.stage(source, "1.0")
    assert (first / "pyproject.toml").read_text() == "# one\n"
    assert not (first / ".venv").exists() and not (first / "data").exists()  # never carried over
    releases.switch(first)
    second = releases.stage(_release(tmp_path / "src2", "two"), "2.0")
    releases.switch(second)
    assert os.readlink(tmp_path / "opt" / "current") == "releases/2.0" and releases.current() == second
    with pytest.raises(Conflict):
        releases.stage(source, "2.0")


@pytest.mark.parametrize("tag", ["../escape", "a/b", "", ".hidden", "x" * 65])
def test_a_tag_is_a_plain_name(tmp_path: Path, tag: str) -> None:
    with pytest.raises(InvalidInput):
        Releases(tmp_path).path(tag)


def test_a_folder_that_is_not_a_release_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "junk").mkdir()
    with pytest.raises(InvalidInput, match="not an Atom release"):
        Releases(tmp_path / "opt").stage(tmp_path / "junk", "1.0")
    assert list((tmp_path / "opt" / "releases").iterdir()) == []


def test_a_tarball_is_unpacked_from_its_top_folder_and_cannot_write_outside(tmp_path: Path) -> None:
    good = tmp_path / "good.tar.gz"
    with tarfile.open(good, "w:gz") as tar:
        tar.add(_release(tmp_path / "atom-2.0", "tarred"), arcname="atom-2.0")
    releases = Releases(tmp_path / "opt")
    assert (releases.stage(good, "2.0") / "pyproject.toml").read_text() == "# tarred\n"
    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as tar:
        payload = b"owned\n"
        entry = tarfile.TarInfo("../../outside.txt")
        entry.size = len(payload)
        tar.addfile(entry, io.BytesIO(payload))
    with pytest.raises(tarfile.TarError):
        releases.stage(evil, "3.0")
    assert not (tmp_path / "outside.txt").exists() and not (tmp_path / "opt" / "releases" / "3.0").exists()


def test_pruning_keeps_the_newest_and_never_the_current(tmp_path: Path) -> None:
    releases = Releases(tmp_path / "opt")
    made = [releases.stage(_release(tmp_path / f"s{n}", str(n)), f"{n}.0") for n in range(4)]
    for age, path in enumerate(made):
        os.utime(path, (1000 + age, 1000 + age))
    releases.switch(made[0])  # rolled back to the oldest
    gone = releases.prune(2)
    assert sorted(p.name for p in gone) == ["1.0"]
    assert made[0].is_dir() and made[2].is_dir() and made[3].is_dir()


def test_space_needs_on_one_disk_add_up(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b" / "not-yet"
    (tmp_path / "a").mkdir()
    assert space_problems({a: 300 * MIB, b: 300 * MIB}, free=lambda _: 500 * MIB) == [
        f"{a} has 500 MiB free; the upgrade needs 600 MiB there"
    ]
    assert space_problems({a: 200 * MIB, b: 300 * MIB}, free=lambda _: 500 * MIB) == []


def test_the_lockfile_pins_every_run_time_dependency() -> None:
    pinned = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pinned[canonicalize_name(name)] = version
    direct = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    missing = [r for r in direct if canonicalize_name(Requirement(r).name) not in pinned]
    assert not missing, f"requirements.lock misses {missing}: run .venv/bin/python scripts/lock_requirements.py"
    assert not {"pytest", "playwright", "ruff"} & set(pinned)  # test tools stay out


def test_the_lock_script_writes_what_is_installed(tmp_path: Path) -> None:
    out = tmp_path / "lock"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "lock_requirements.py"), str(out)], check=True)
    lines = [line for line in out.read_text().splitlines() if not line.startswith("#")]
    from importlib.metadata import version

    assert f"duckdb=={version('duckdb')}" in lines and f"msgspec=={version('msgspec')}" in lines
    assert f"diskcache=={version('diskcache')}" in lines  # llama-cpp-python's, though it is built here
    assert not any(line.startswith("llama") for line in lines)
