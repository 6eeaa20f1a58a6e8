#!/usr/bin/env bash
# mmdebstrap's customize hook: runs on the host with the new root in "$1" (commands inside it run
# under qemu-user). Puts Atom, its models and the appliance's settings into the root.
#
#   WORK: build.sh's folder holding wheelhouse/ (aarch64 wheels, Atom's own, llama-cpp-python),
#         release/ (Atom's files) and data/ (the default models, installed on the host).
set -euo pipefail
ROOTFS="$1"
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=config.sh
. "$HERE/config.sh"
: "${WORK:?customize.sh runs from build.sh (WORK unset)}"
# A clean environment: the build machine's own settings (PIP_FIND_LINKS, PYTHON*, ...) stay out of the image.
in_root() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$ROOTFS" "$@"; }

appliance_settings() {
  cp -a "$HERE/overlay/." "$ROOTFS/"
  echo "$HOSTNAME_" > "$ROOTFS/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$HOSTNAME_" > "$ROOTFS/etc/hosts"
  printf 'auto lo\niface lo inet loopback\n\nallow-hotplug eth0\niface eth0 inet dhcp\n' > "$ROOTFS/etc/network/interfaces"
  : > "$ROOTFS/etc/machine-id"                       # systemd makes the box's own at first boot
  rm -f "$ROOTFS"/etc/ssh/ssh_host_*                 # atom-first-boot makes the box's own
  in_root systemctl disable ssh.service
  in_root systemctl enable atom-first-boot.service avahi-daemon.service systemd-timesyncd.service
}

install_atom() {
  local version release
  version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$WORK/release/pyproject.toml" | head -n 1)"
  release="/opt/atom/releases/$version"
  mkdir -p "$ROOTFS$release" "$ROOTFS/tmp/wheelhouse"
  cp -a "$WORK/release/." "$ROOTFS$release/"
  cp "$WORK"/wheelhouse/*.whl "$ROOTFS/tmp/wheelhouse/"
  in_root python3 -m venv "$release/.venv"
  in_root "$release/.venv/bin/pip" install --quiet --no-index --find-links /tmp/wheelhouse --no-deps \
    -r "$release/requirements.lock"
  in_root sh -c "$release/.venv/bin/pip install --quiet --no-index --no-deps /tmp/wheelhouse/atom_appliance-*.whl /tmp/wheelhouse/llama_cpp_python-*.whl"
  rm -rf "$ROOTFS/tmp/wheelhouse"
  ln -sfn "releases/$version" "$ROOTFS/opt/atom/current"
  in_root useradd --system --home-dir /var/lib/atom --shell /usr/sbin/nologin atom
  install -d -m 0700 "$ROOTFS/var/lib/atom" "$ROOTFS/etc/atom"
  chmod 0755 "$ROOTFS/etc/atom"
  # http://atom.local with no port to type: 80 (atom.service.d/port-80.conf lets the server bind it).
  printf '# ATOM_* settings for the server and the worker.\n# Another port: change it here and in /etc/avahi/services/atom.service.\nATOM_PORT=80\n' \
    > "$ROOTFS/etc/atom/atom.env"
  cp -a "$WORK/data/." "$ROOTFS/var/lib/atom/"
  in_root chown -R atom:atom /var/lib/atom
  # Until setup is done, a screen on the box shows the one-time setup code above the login prompt
  # (atom serve writes the notice beside the code and removes both after setup).
  install -d -m 0755 "$ROOTFS/etc/issue.d"
  ln -sfn /var/lib/atom/setup.issue "$ROOTFS/etc/issue.d/atom-setup.issue"
  install -m 0644 "$WORK"/release/systemd/atom.service "$WORK"/release/systemd/atom-worker.service "$ROOTFS/etc/systemd/system/"
  install -d -m 0755 "$ROOTFS/etc/avahi/services"
  sed 's|<port>8080</port>|<port>80</port>|' "$WORK/release/systemd/avahi/atom.service" > "$ROOTFS/etc/avahi/services/atom.service"
  in_root systemctl enable atom.service atom-worker.service
}

initramfs_once() {
  # build.sh diverted update-initramfs while packages went in (each kernel or firmware package
  # would have run it under emulation); now the real one runs, once, and raspi-firmware's hook
  # copies kernel, initrd and device trees to /boot/firmware.
  in_root rm -f /usr/sbin/update-initramfs
  in_root dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs
  in_root update-initramfs -c -k all
}

appliance_settings
install_atom
initramfs_once
in_root apt-get clean
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin
