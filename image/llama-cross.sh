#!/usr/bin/env bash
# llama-cpp-python for the image: compiled on this (x86-64) machine with the aarch64 cross compiler
# for plain armv8-a, the baseline both a Pi 4 (Cortex-A72) and a Pi 5 (Cortex-A76) run, so no
# newer instruction (dotprod, i8mm, SVE) can slip in. build.sh checks it under qemu-user with
# -cpu cortex-a72 once it is installed in the image.
#
#   image/llama-cross.sh OUT_DIR [PYTHON]
set -euo pipefail
OUT="${1:?usage: llama-cross.sh OUT_DIR [PYTHON]}"
PYTHON="${2:-.venv/bin/python}"
VERSION="${LLAMA_CPP_VERSION:-0.3.36}"

for tool in aarch64-linux-gnu-gcc aarch64-linux-gnu-g++ cmake; do
  command -v "$tool" >/dev/null || {
    echo "llama-cross.sh: no $tool: sudo apt-get install gcc-aarch64-linux-gnu g++-aarch64-linux-gnu cmake" >&2
    exit 1
  }
done
mkdir -p "$OUT"
ls "$OUT"/llama_cpp_python-"$VERSION"-*aarch64*.whl >/dev/null 2>&1 && exit 0

build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
CMAKE_ARGS="-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64 \
-DCMAKE_C_COMPILER=aarch64-linux-gnu-gcc -DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++ \
-DGGML_NATIVE=OFF -DGGML_CPU_ARM_ARCH=armv8-a -DGGML_OPENMP=OFF \
-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAVA_BUILD=OFF -DLLAMA_CURL=OFF" \
  nice -n 19 "$PYTHON" -m pip wheel --quiet --no-deps --no-binary llama-cpp-python -w "$build" \
  --config-settings=build-dir="$OUT/.llama-build" \
  "llama-cpp-python==${VERSION}"
# llama-cpp-python loads its libraries with ctypes (no CPython extension), so the wheel differs
# from a native one only in its platform tag, which pip set from this machine. The build folder
# stays in OUT (scikit-build-core's build-dir), so a build cut short resumes where it stopped.
"$PYTHON" "$(dirname "$0")/retag_wheel.py" "$build"/llama_cpp_python-*.whl linux_aarch64 >/dev/null
# pip may reuse a wheel it built before (its cache is keyed by the sdist, not CMAKE_ARGS): the ELF
# machine check below is what proves this one is aarch64. The library goes to a file first: od
# stops reading after two bytes, and under pipefail unzip's broken pipe would end the script.
unzip -p "$build"/llama_cpp_python-*aarch64*.whl llama_cpp/lib/libllama.so >"$build/libllama.so"
machine="$(od -An -tx1 -j18 -N2 "$build/libllama.so" | tr -d ' ')"
[ "$machine" = "b700" ] || { echo "llama-cross.sh: libllama.so is not an aarch64 ELF file ($machine)" >&2; exit 1; }
mv "$build"/llama_cpp_python-*aarch64*.whl "$OUT/"
echo "llama-cpp-python ${VERSION} for armv8-a in $OUT" >&2
