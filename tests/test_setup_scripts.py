"""The set-up scripts behind `make run` and `make test`, run from an empty cache as on a new box.

The compiler step is the one stand-in: a fake interpreter answers `pip wheel` by writing a wheel
file, so the script's own logic (cache look-up, build, install, messages) runs for real in
seconds. Every failure must name its step and the fix, never end silently.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LLAMA = ROOT / "scripts" / "llama-wheel.sh"
PYTHON_ENV = ROOT / "scripts" / "python-env.sh"
SYSTEM = ROOT / "scripts" / "system-packages.sh"

# Answers what llama-wheel.sh asks its interpreter: the installed version, `pip wheel`, `pip install`.
FAKE_PYTHON = r"""#!/bin/bash
echo "$*" >> "$STATE/calls"
case "$*" in
  -c*) [ -f "$STATE/installed" ] && cat "$STATE/installed" || exit 1 ;;
  "-m pip wheel"*)
    [ -n "${FAIL_BUILD:-}" ] && { echo "error: compiler exploded" >&2; exit 1; }
    out="${@: -2:1}"; spec="${@: -1}"; version="${spec#*==}"
    touch "$out/llama_cpp_python-${version}-cp311-cp311-linux_$(uname -m).whl" ;;
  "-m pip install"*) wheel="${@: -1}"; basename "$wheel" | cut -d- -f2 > "$STATE/installed" ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
"""


@pytest.fixture
def fake_python(tmp_path: Path) -> Path:
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    (tmp_path / "state").mkdir()
    return python


def _run(script: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(script), *args], env=env, capture_output=True, text=True, timeout=120)


def _llama_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    home = tmp_path / "empty-home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATOM_", "XDG_"))}
    return {**env, "HOME": str(home), "STATE": str(tmp_path / "state"), **extra}


def test_llama_wheel_builds_into_a_cache_that_does_not_exist_yet_then_reuses_it(
    tmp_path: Path, fake_python: Path
) -> None:
    env = _llama_env(tmp_path)
    first = _run(LLAMA, str(fake_python), env=env)
    assert first.returncode == 0, first.stderr
    cache = tmp_path / "empty-home" / ".cache" / "atom" / "wheels"
    built = list(cache.glob("llama_cpp_python-*.whl"))
    assert len(built) == 1 and platform.machine() in built[0].name
    assert (tmp_path / "state" / "installed").read_text().strip() in built[0].name
    assert "installed from" in first.stderr

    (tmp_path / "state" / "installed").unlink()  # a new virtualenv on the same box
    (tmp_path / "state" / "calls").write_text("")
    second = _run(LLAMA, str(fake_python), env=env)
    assert second.returncode == 0, second.stderr
    calls = (tmp_path / "state" / "calls").read_text()
    assert "pip wheel" not in calls and "pip install" in calls  # no second compile

    (tmp_path / "state" / "calls").write_text("")
    third = _run(LLAMA, str(fake_python), env=env)  # already installed: nothing to do
    assert third.returncode == 0
    assert "pip" not in (tmp_path / "state" / "calls").read_text()


def test_llama_wheel_says_which_step_failed_when_the_build_fails(tmp_path: Path, fake_python: Path) -> None:
    failed = _run(LLAMA, str(fake_python), env=_llama_env(tmp_path, FAIL_BUILD="1"))
    assert failed.returncode == 1
    assert "failed while compiling llama-cpp-python" in failed.stderr
    assert "run make again" in failed.stderr


def test_llama_wheel_names_the_missing_compiler(tmp_path: Path, fake_python: Path) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("bash", "uname", "mkdir", "cat", "touch", "cut", "basename"):
        (tools / tool).symlink_to(shutil.which(tool) or f"/bin/{tool}")
    failed = _run(LLAMA, str(fake_python), env=_llama_env(tmp_path, PATH=str(tools)))
    assert failed.returncode == 1
    assert "missing cc c++ make" in failed.stderr and "build-essential" in failed.stderr


def test_llama_wheel_cannot_make_its_cache_folder(tmp_path: Path, fake_python: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    failed = _run(LLAMA, str(fake_python), env=_llama_env(tmp_path, ATOM_WHEEL_CACHE=str(blocker / "wheels")))
    assert failed.returncode == 1
    assert "ATOM_WHEEL_CACHE" in failed.stderr


def _stand_in(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/bash\n" + body + "\n")
    path.chmod(0o755)


def test_python_env_refuses_an_old_python_and_a_missing_venv_module(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _stand_in(bin_dir, "old-python", 'case "$1" in -c) exit 1 ;; --version) echo "Python 3.9.2" ;; esac')
    _stand_in(
        bin_dir, "no-venv-python", 'case "$1" in -c) exit 0 ;; -m) echo "No module named venv" >&2; exit 1 ;; esac'
    )
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    venv = str(tmp_path / "venv")
    old = _run(PYTHON_ENV, venv, env={**env, "PYTHON": "old-python"})
    assert old.returncode == 1 and "Python 3.9.2 is too old" in old.stderr and "fix:" in old.stderr
    absent = _run(PYTHON_ENV, venv, env={**env, "PYTHON": "no-such-python3"})
    assert absent.returncode == 1 and "no 'no-such-python3' on PATH" in absent.stderr
    no_venv = _run(PYTHON_ENV, venv, env={**env, "PYTHON": "no-venv-python"})
    assert no_venv.returncode == 1 and "python3-venv" in no_venv.stderr


@pytest.mark.process
def test_python_env_makes_a_working_virtualenv_from_nothing(tmp_path: Path) -> None:
    """The real thing, with Atom's own dependencies from PyPI (or pip's cache): `atom --help` runs."""
    work = tmp_path / "checkout"
    shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".venv", ".git", ".make", "data", "test-artifacts"))
    env = {**os.environ, "PYTHON": sys.executable}
    made = subprocess.run(["bash", "scripts/python-env.sh", ".venv"], cwd=work, env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr[-3000:]
    helped = subprocess.run([str(work / ".venv" / "bin" / "atom"), "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "serve" in helped.stdout


def test_system_packages_installs_only_what_is_missing_and_says_when_apt_fails(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _stand_in(bin_dir, "dpkg-query", "exit 1")  # nothing installed
    _stand_in(bin_dir, "id", "echo 0")
    _stand_in(bin_dir, "apt-get", f'echo "$*" >> {tmp_path}/apt; [ -z "$APT_FAILS" ] || exit 100')
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "APT_FAILS": ""}
    done = _run(SYSTEM, "test", env=env)
    assert done.returncode == 0, done.stderr
    assert "install -y -qq --no-install-recommends chromium" in (tmp_path / "apt").read_text()
    assert _run(SYSTEM, "bench", env=env).returncode == 0  # make bench: the load generator
    assert "install -y -qq --no-install-recommends wrk" in (tmp_path / "apt").read_text()
    broken = _run(SYSTEM, "test", env={**env, "APT_FAILS": "1"})
    assert broken.returncode == 1 and "apt-get update failed" in broken.stderr and "fix:" in broken.stderr
    unknown = _run(SYSTEM, "bogus", env=env)
    assert unknown.returncode == 1 and "unknown purpose" in unknown.stderr
