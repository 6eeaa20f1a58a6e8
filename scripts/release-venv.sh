#!/usr/bin/env bash
# Builds a release's virtualenv from its lockfile: the versions that release was tested with.
#
#   scripts/release-venv.sh RELEASE        e.g. /opt/atom/releases/0.2.0
#
# `atom upgrade` runs the NEW release's copy of this script, so a release decides how its own
# venv is made. pip installs exactly requirements.lock (no resolver surprises), then Atom itself
# without dependencies, then llama-cpp-python from the wheel cache (scripts/llama-wheel.sh).
set -euo pipefail

RELEASE="$(cd "${1:?usage: release-venv.sh RELEASE}" && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="$RELEASE/.venv"

fail() {
  echo "release-venv.sh: $1" >&2
  echo "  fix: $2" >&2
  exit 1
}

[ -f "$RELEASE/requirements.lock" ] ||
  fail "$RELEASE has no requirements.lock." "make it in the source checkout: .venv/bin/python scripts/lock_requirements.py"
"$PYTHON" -m venv "$VENV" ||
  fail "could not create $VENV." "install the venv module (Debian: sudo apt-get install python3-venv)"
"$VENV/bin/python" -m pip install --quiet --upgrade pip ||
  fail "could not upgrade pip in $VENV." "check that this box reaches PyPI (pip's message is above)"
"$VENV/bin/python" -m pip install --quiet --no-deps -r "$RELEASE/requirements.lock" ||
  fail "pip could not install the locked packages." "check that this box reaches PyPI (pip's message is above)"
"$VENV/bin/python" -m pip install --quiet --no-deps "$RELEASE" ||
  fail "pip could not install Atom from $RELEASE." "see pip's message above"
bash "$RELEASE/scripts/llama-wheel.sh" "$VENV/bin/python"
