#!/usr/bin/env bash
# Installs llama-cpp-python into a virtualenv from a wheel built once and cached.
#
#   scripts/llama-wheel.sh [PYTHON]      PYTHON: the venv's interpreter (default .venv/bin/python)
#
# llama-cpp-python is sdist-only on PyPI: installing it compiles llama.cpp (10+ minutes on two
# cores). So the wheel is built once into $ATOM_WHEEL_CACHE (default ~/.cache/atom/wheels) and
# reused: by `make clean && make`, by other checkouts, by CI with a cached folder.
#
# CPU flags are explicit, never "native": a native build on some x86 machines dies with SIGILL
# in AMX code, and a wheel must run on more than the machine that built it. Override them with
# LLAMA_CMAKE_ARGS (a different set of flags needs a different cache folder).
set -euo pipefail

VERSION="${LLAMA_CPP_VERSION:-0.3.36}"
CACHE="${ATOM_WHEEL_CACHE:-$HOME/.cache/atom/wheels}"
PYTHON="${1:-.venv/bin/python}"

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

cached_wheel() {
  local arch
  arch="$(uname -m)"
  find "$CACHE" -maxdepth 1 -name "llama_cpp_python-${VERSION}-*${arch}*.whl" 2>/dev/null | sort | head -n 1
}

build_wheel() {
  mkdir -p "$CACHE"
  echo "building llama-cpp-python ${VERSION} into ${CACHE} (once; this takes minutes)" >&2
  CMAKE_ARGS="${LLAMA_CMAKE_ARGS:-$(cmake_flags)}" \
    "$PYTHON" -m pip wheel --no-deps --no-binary llama-cpp-python -w "$CACHE" "llama-cpp-python==${VERSION}"
}

if [ "$(installed_version)" = "$VERSION" ]; then
  exit 0
fi
wheel="$(cached_wheel)"
if [ -z "$wheel" ]; then
  build_wheel
  wheel="$(cached_wheel)"
fi
if [ -z "$wheel" ]; then
  echo "llama-wheel.sh: the build finished but no llama_cpp_python-${VERSION} wheel is in ${CACHE}" >&2
  exit 1
fi
"$PYTHON" -m pip install --quiet "$wheel"
