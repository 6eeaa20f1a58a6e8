#!/usr/bin/env bash
# Boots the built image in qemu-system-aarch64 (Cortex-A72, like a Pi 4) and checks that Atom
# answers /healthz and shows its setup page, through a port forwarded on 127.0.0.1 only.
#
#   image/boot-test.sh                 (make image-test)
#
# The card is a copy grown to 6 GB, so the first boot's partition growing is exercised too. The
# kernel and initrd are the ones in the image's root (qemu's virt machine has no Pi firmware).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=config.sh
. "$HERE/config.sh"
OUT="${ATOM_IMAGE_OUT:-$HERE/out}"
ROOTFS="$OUT/work/rootfs"
PORT="${ATOM_IMAGE_TEST_PORT:-18080}"
WAIT="${ATOM_IMAGE_TEST_SECONDS:-1500}"   # emulated on x86: boot ~2 min, Atom's first start longer
TEST="$OUT/boot-test"

[ -f "$OUT/atom.img" ] || { echo "no $OUT/atom.img: run make image first" >&2; exit 1; }
command -v qemu-system-aarch64 >/dev/null || { echo "sudo apt-get install qemu-system-arm" >&2; exit 1; }
rm -rf "$TEST" && mkdir -p "$TEST"
cp --sparse=always "$OUT/atom.img" "$TEST/card.img"
truncate -s 6G "$TEST/card.img"
kernel="$(ls "$ROOTFS"/boot/vmlinuz-* | sort -V | tail -n 1)"
initrd="$(ls "$ROOTFS"/boot/initrd.img-* | sort -V | tail -n 1)"

# romfile= : with the kernel given directly no network boot ROM is needed (Debian ships it apart, in ipxe-qemu).
qemu-system-aarch64 -machine virt -cpu cortex-a72 -smp 2 -m 2048 -display none \
  -kernel "$kernel" -initrd "$initrd" \
  -append "root=LABEL=$ROOT_LABEL rw rootwait console=ttyAMA0 net.ifnames=0" \
  -drive "file=$TEST/card.img,format=raw,if=virtio" \
  -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$PORT-:80" -device virtio-net-pci,netdev=net0,romfile= \
  -serial "file:$TEST/console.log" &
qemu=$!
trap 'kill "$qemu" 2>/dev/null || true; wait "$qemu" 2>/dev/null || true' EXIT

started=$SECONDS
until curl -fsS --max-time 5 "http://127.0.0.1:$PORT/healthz" >"$TEST/healthz.json" 2>/dev/null; do
  kill -0 "$qemu" 2>/dev/null || { echo "qemu exited; console: $TEST/console.log" >&2; exit 1; }
  if [ $((SECONDS - started)) -gt "$WAIT" ]; then
    echo "no /healthz after ${WAIT}s; console: $TEST/console.log" >&2
    tail -n 30 "$TEST/console.log" >&2
    exit 1
  fi
  sleep 5
done
echo "healthz after $((SECONDS - started))s: $(cat "$TEST/healthz.json")"
curl -fsSL --max-time 60 -H "Host: atom.local" "http://127.0.0.1:$PORT/" >"$TEST/setup.html"
grep -q "Set up Atom" "$TEST/setup.html" || { echo "the front page is not the setup page: $TEST/setup.html" >&2; exit 1; }
echo "setup page served (saved in $TEST/setup.html)"
grep -q "atom-first-boot" "$TEST/console.log" && echo "first boot ran (see $TEST/console.log)"
