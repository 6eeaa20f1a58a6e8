# The image's choices in one place; sourced by build.sh, customize.sh and boot-test.sh.
# shellcheck shell=bash
SUITE="${ATOM_IMAGE_SUITE:-trixie}"           # Debian 13: Python 3.13 (bookworm's 3.11.2 is older than the lock allows)
MIRROR="${ATOM_IMAGE_MIRROR:-http://deb.debian.org/debian}"
HOSTNAME_="atom"
ROOT_LABEL="atom-root"
BOOT_LABEL="ATOM-BOOT"
BOOT_MB=256
ROOT_MB="${ATOM_IMAGE_ROOT_MB:-3072}"   # grown to the whole card at first boot
PY_TAG="cp313"                          # trixie's python3: the aarch64 wheels must match it
PY_VERSION="3.13"
# What a Raspberry Pi 4 (and Debian's arm64 kernel elsewhere) needs, and what Atom needs.
PACKAGES=(
  linux-image-arm64 raspi-firmware firmware-brcm80211 initramfs-tools
  systemd-sysv systemd-timesyncd udev kmod dbus ifupdown dhcpcd-base netbase iproute2
  avahi-daemon libnss-mdns openssh-server ca-certificates
  cloud-guest-utils e2fsprogs parted
  python3 python3-venv libgomp1 libstdc++6
)
