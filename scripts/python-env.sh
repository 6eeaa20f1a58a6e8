#!/usr/bin/env bash
# Creates the virtualenv and installs Atom into it, failing loudly with the step and the fix.
#
#   scripts/python-env.sh VENV [EXTRAS]      e.g. scripts/python-env.sh .venv test
set -euo pipefail

VENV="${1:?usage: python-env.sh VENV [EXTRAS]}"
EXTRAS="${2:-}"
PYTHON="${PYTHON:-python3}"

fail() {
  echo "python-env.sh: $1" >&2
  echo "  fix: $2" >&2
  exit 1
}

check_python() {
  command -v "$PYTHON" >/dev/null 2>&1 ||
    fail "no '$PYTHON' on PATH." "install Python 3.11 or newer (Debian: sudo apt-get install python3), or run make PYTHON=/path/to/python3.11"
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    fail "$("$PYTHON" --version 2>&1) is too old; Atom needs Python 3.11 or newer." \
      "install a newer Python and run make PYTHON=/path/to/python3.11"
}

make_venv() {
  [ -x "$VENV/bin/python" ] && return 0
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" ||
    fail "could not create the virtualenv $VENV." "install the venv module (Debian: sudo apt-get install python3-venv) and run make again"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip ||
    fail "could not upgrade pip in $VENV." "check that this box reaches PyPI (pip's message is above), then run make again"
}

install_atom() {
  local target="."
  [ -n "$EXTRAS" ] && target=".[$EXTRAS]"
  echo "installing Atom and its Python packages into $VENV${EXTRAS:+ (with $EXTRAS extras)}" >&2
  "$VENV/bin/python" -m pip install --quiet -e "$target" ||
    fail "pip could not install Atom's Python packages." "check that this box reaches PyPI (pip's message is above), then run make again"
}

check_python
make_venv
install_atom
