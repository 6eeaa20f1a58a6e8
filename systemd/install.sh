#!/usr/bin/env bash
# Installs Atom as system services: a dedicated user, the code in /opt/atom, data in /var/lib/atom.
# Run as root from a checkout: sudo systemd/install.sh
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"

id atom >/dev/null 2>&1 || useradd --system --home-dir /var/lib/atom --shell /usr/sbin/nologin atom
install -d -o atom -g atom -m 0700 /var/lib/atom
install -d -m 0755 /etc/atom
[ -f /etc/atom/atom.env ] || printf '# ATOM_* settings, e.g.\n# ATOM_PORT=8080\n' > /etc/atom/atom.env

if [ "$src" != /opt/atom ]; then
  mkdir -p /opt/atom
  cp -a "$src/." /opt/atom/
fi
cd /opt/atom
make setup
chown -R root:root /opt/atom

install -m 0644 systemd/atom.service systemd/atom-worker.service systemd/atom-satellite.service /etc/systemd/system/
if [ -d /etc/avahi/services ]; then  # avahi announces Atom (http://atom.local); without it Atom announces itself
  port="$(sed -n 's/^ATOM_PORT=\([0-9][0-9]*\)$/\1/p' /etc/atom/atom.env | tail -n 1)"
  sed "s|<port>8080</port>|<port>${port:-8080}</port>|" systemd/avahi/atom.service > /etc/avahi/services/atom.service
fi
systemctl daemon-reload
systemctl enable --now atom.service atom-worker.service
echo "Atom is running: open http://$(hostname).local:8080 to create the household admin."
echo "A voice satellite on this box: pair it, then systemctl enable --now atom-satellite (see README)."
