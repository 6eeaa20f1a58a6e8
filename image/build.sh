#!/usr/bin/env bash
# Builds the flashable image: Debian arm64 for a Raspberry Pi 4 with Atom preinstalled.
#
#   sudo image/build.sh            (make image)   -> image/out/atom.img and atom.img.xz
#   sudo image/build.sh STEP       resume at STEP after a failure (its output names the step)
#
# mmdebstrap makes the arm64 root on this machine (qemu-user through binfmt_misc runs its
# maintainer scripts), genimage makes the card from folders (mke2fs -d, mtools: no loop devices),
# the initramfs is built once at the end instead of once per package. Every step prints how long
# it took; a failure names the step. Needs root (chroot, binfmt_misc) and about 8 GB in image/out.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CHECKOUT="$(dirname "$HERE")"
# shellcheck source=config.sh
. "$HERE/config.sh"
OUT="${ATOM_IMAGE_OUT:-$HERE/out}"
export WORK="$OUT/work"
PYTHON="${PYTHON:-$CHECKOUT/.venv/bin/python}"
STEP="starting"
STARTED=$SECONDS
CURRENT=""
trap 'echo "image/build.sh: failed while ${STEP} (output above); once fixed, resume: sudo image/build.sh ${CURRENT}" >&2' ERR

step() {
  STEP="$1"
  printf '[%4ds] %s\n' "$((SECONDS - STARTED))" "$1" >&2
}

check_host() {
  step "checking the host"
  [ "$(id -u)" -eq 0 ] || { echo "image/build.sh needs root (chroot, binfmt_misc): sudo make image" >&2; exit 1; }
  local tool missing=()
  for tool in mmdebstrap genimage mke2fs mcopy mkfs.vfat xz qemu-aarch64-static aarch64-linux-gnu-gcc cmake; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "missing ${missing[*]}: sudo apt-get install mmdebstrap genimage e2fsprogs mtools dosfstools xz-utils" \
      "qemu-user-static binfmt-support gcc-aarch64-linux-gnu g++-aarch64-linux-gnu cmake" >&2
    exit 1
  fi
  [ -x "$PYTHON" ] || { echo "no $PYTHON: run make setup first (the models and wheels come through it)" >&2; exit 1; }
  mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
}

release_files() {
  step "copying Atom's release files"
  rm -rf "$WORK/release" && mkdir -p "$WORK/release"
  tar -C "$CHECKOUT" --exclude=./.venv --exclude=./.git --exclude=./data --exclude=./.make \
    --exclude=./image/out --exclude=./test-artifacts --exclude='__pycache__' -cf - . | tar -C "$WORK/release" -xf -
}

wheelhouse() {
  step "downloading aarch64 wheels for requirements.lock ($PY_TAG)"
  mkdir -p "$WORK/wheelhouse"
  "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: --dest "$WORK/wheelhouse" \
    --platform manylinux2014_aarch64 --platform manylinux_2_28_aarch64 --platform linux_aarch64 \
    --python-version "$PY_VERSION" --implementation cp --abi "$PY_TAG" --abi abi3 --abi none \
    -r "$CHECKOUT/requirements.lock"
  step "building Atom's own wheel"
  rm -f "$WORK"/wheelhouse/atom_appliance-*.whl
  "$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$WORK/wheelhouse" "$WORK/release"
  step "cross-compiling llama.cpp for armv8-a"
  bash "$HERE/llama-cross.sh" "$WORK/wheelhouse" "$PYTHON"
}

default_models() {
  step "installing the default models (checked against their sha256)"
  mkdir -p "$WORK/data"
  ATOM_DATA_DIR="$WORK/data" "$PYTHON" -m appliance models install --default
}

root_file_system() {
  step "building the arm64 root file system (mmdebstrap, under qemu-user)"
  rm -rf "$WORK/rootfs"
  local packages
  packages="$(IFS=,; echo "${PACKAGES[*]}")"
  nice -n 19 mmdebstrap --mode=root --architectures=arm64 --variant=apt --components=main,non-free-firmware \
    --include="$packages" \
    --essential-hook='mkdir -p "$1/boot/firmware"' \
    --essential-hook='chroot "$1" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs' \
    --essential-hook='ln -sf /bin/true "$1/usr/sbin/update-initramfs"' \
    --customize-hook="$HERE/customize.sh \"\$1\"" \
    "$SUITE" "$WORK/rootfs" "$MIRROR"
}

check_llama_on_a72() {
  step "checking llama.cpp under qemu-user -cpu cortex-a72 (no Pi-5-only instruction)"
  local model
  model="$(find "$WORK/rootfs/var/lib/atom/models" -name '*.gguf' | head -n 1)"
  QEMU_CPU=cortex-a72 chroot "$WORK/rootfs" /opt/atom/current/.venv/bin/python -c "
import llama_cpp
llm = llama_cpp.Llama(model_path='${model#"$WORK/rootfs"}', n_ctx=256, verbose=False)
print('cortex-a72 says:', llm('The sky is', max_tokens=4)['choices'][0]['text'])"
}

card_image() {
  step "making the card image (genimage, no loop devices)"
  sed -e "s/@ROOT_MB@/$ROOT_MB/; s/@BOOT_MB@/$BOOT_MB/; s/@ROOT_LABEL@/$ROOT_LABEL/; s/@BOOT_LABEL@/$BOOT_LABEL/" \
    "$HERE/genimage.cfg.in" > "$WORK/genimage.cfg"
  rm -rf "$WORK/genimage-tmp" "$OUT/atom.img"
  mkdir -p "$WORK/input"
  nice -n 19 genimage --config "$WORK/genimage.cfg" --rootpath "$WORK/rootfs" --tmppath "$WORK/genimage-tmp" \
    --inputpath "$WORK/input" --outputpath "$OUT"
  step "compressing (xz)"
  nice -n 19 xz --threads=0 --keep --force "$OUT/atom.img"
}

report() {
  step "done"
  printf 'image: %s (%s), compressed: %s (%s), built in %d min\n' "$OUT/atom.img" \
    "$(du -h --apparent-size "$OUT/atom.img" | cut -f1)" "$OUT/atom.img.xz" "$(du -h "$OUT/atom.img.xz" | cut -f1)" \
    "$(((SECONDS - STARTED) / 60))"
}

STEPS=(release_files wheelhouse default_models root_file_system check_llama_on_a72 card_image)
FROM="${1:-release_files}"  # a build that failed late resumes at its step: build.sh check_llama_on_a72
[[ " ${STEPS[*]} " == *" $FROM "* ]] || { echo "image/build.sh: no step $FROM (steps: ${STEPS[*]})" >&2; exit 2; }
check_host
started=""
for name in "${STEPS[@]}"; do
  [ "$name" = "$FROM" ] && started=1
  if [ -n "$started" ]; then CURRENT="$name" && "$name"; fi
done
report
