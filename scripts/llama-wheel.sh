#!/usr/bin/env bash
# Installs llama-cpp-python into a virtualenv from a wheel built once and cached.
#
#   scripts/llama-wheel.sh [PYTHON]      PYTHON: the venv's interpreter (default .venv/bin/python)
#
# llama-cpp-python is sdist-only on PyPI: installing it compiles llama.cpp (10+ minutes on two
# cores). So the wheel is built once into $ATOM_WHEEL_CACHE (default ~/.cache/atom/wheels) and
# reused: by `make clean && make`, by other checkouts, by later runs on the same box.
#
# CPU flags are explicit, never "native": a native build on some x86 machines dies with SIGILL
# in AMX code, and a wheel must run on more than the machine that built it. Override them with
# LLAMA_CMAKE_ARGS (a different set of flags needs a different cache folder).
#
# Every failure names the step that failed and what to do about it (see fail below).
set -euo pipefail

VERSION="${LLAMA_CPP_VERSION:-0.3.36}"
CACHE="${ATOM_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/atom/wheels}"
PYTHON="${1:-.venv/bin/python}"
STEP="starting"

fail() {
  echo "llama-wheel.sh: failed while ${STEP}." >&2
  echo "  ${1:-see the output above for the cause.}" >&2
  exit 1
}
trap 'fail' ERR

installed_version() {
  "$PYTHON" -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))' 2>/dev/null || true
}

cmake_flags() {
  case "$(uname -m)" in
    x86_64 | amd64)
      # AVX2/FMA/F16C: every x86-64 CPU of the last decade; AVX-512 and AMX off (see above).
      echo "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF" \
        "-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF" ;;
    *)
      # aarch64 (Raspberry Pi 4/5) and others: the compiler's baseline for the architecture.
      echo "-DGGML_NATIVE=OFF" ;;
  esac
}

# The cached wheel for this version and machine, or nothing (also when the cache folder is new).
cached_wheel() {
  [ -d "$CACHE" ] || return 0
  local pattern="llama_cpp_python-${VERSION}-*$(uname -m)*.whl" found
  for found in "$CACHE"/$pattern; do
    [ -f "$found" ] && { echo "$found"; return 0; }
  done
  return 0
}

check_tools() {
  STEP="checking the build tools"
  local tool missing=()
  for tool in cc c++ make; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] ||
    fail "missing ${missing[*]}: install a C/C++ toolchain first (Debian: sudo apt-get install build-essential)."
  [ -x "$PYTHON" ] || fail "no Python at ${PYTHON}: create the virtualenv first (make setup does)."
}

build_wheel() {
  check_tools
  STEP="creating the wheel cache ${CACHE}"
  mkdir -p "$CACHE" || fail "cannot create ${CACHE}: set ATOM_WHEEL_CACHE to a writable folder."
  STEP="compiling llama-cpp-python ${VERSION}"
  echo "building llama-cpp-python ${VERSION} into ${CACHE} (once; about ten minutes on two cores)" >&2
  CMAKE_ARGS="${LLAMA_CMAKE_ARGS:-$(cmake_flags)}" \
    "$PYTHON" -m pip wheel --quiet --no-deps --no-binary llama-cpp-python -w "$CACHE" \
    "llama-cpp-python==${VERSION}" ||
    fail "the compiler or pip failed (output above). Check the network reaches PyPI and that cmake/gcc work; then run make again."
}

STEP="checking the installed version"
if [ "$(installed_version)" = "$VERSION" ]; then
  exit 0
fi
wheel="$(cached_wheel)"
if [ -z "$wheel" ]; then
  build_wheel
  wheel="$(cached_wheel)"
fi
[ -n "$wheel" ] || fail "the build finished but no llama_cpp_python-${VERSION} wheel is in ${CACHE}."
STEP="installing ${wheel}"
"$PYTHON" -m pip install --quiet "$wheel" ||
  fail "pip could not install the cached wheel; delete ${wheel} and run make again to rebuild it."
echo "llama-cpp-python ${VERSION} installed from ${wheel}" >&2
