#!/usr/bin/env bash
# Installs Atom as system services: a dedicated user, the code in /opt/atom/releases/<version> behind
# /opt/atom/current, data in /var/lib/atom.
# Run as root from a checkout: sudo systemd/install.sh
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"

id atom >/dev/null 2>&1 || useradd --system --home-dir /var/lib/atom --shell /usr/sbin/nologin atom
install -d -o atom -g atom -m 0700 /var/lib/atom
install -d -m 0755 /etc/atom
[ -f /etc/atom/atom.env ] || printf '# ATOM_* settings, e.g.\n# ATOM_PORT=8080\n' > /etc/atom/atom.env

# Releases side by side, the running one behind a link: `atom upgrade` adds the next one beside it.
tag="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$src/pyproject.toml" | head -n 1)"
release="/opt/atom/releases/$tag"
if [ ! -x "$release/.venv/bin/atom" ]; then
  rm -rf "$release" && mkdir -p "$release"
  tar -C "$src" --exclude=./.venv --exclude=./.git --exclude=./data --exclude=./.make -cf - . | tar -C "$release" -xf -
  (umask 022 && bash "$release/scripts/release-venv.sh" "$release")
fi
ln -sfn "releases/$tag" /opt/atom/current.new && mv -T /opt/atom/current.new /opt/atom/current
chown -R root:root /opt/atom
cd /opt/atom/current

install -m 0644 systemd/atom.service systemd/atom-worker.service systemd/atom-satellite.service /etc/systemd/system/
if [ -d /etc/avahi/services ]; then  # avahi announces Atom (http://atom.local); without it Atom announces itself
  port="$(sed -n 's/^ATOM_PORT=\([0-9][0-9]*\)$/\1/p' /etc/atom/atom.env | tail -n 1)"
  sed "s|<port>8080</port>|<port>${port:-8080}</port>|" systemd/avahi/atom.service > /etc/avahi/services/atom.service
fi
systemctl daemon-reload
systemctl enable --now atom.service atom-worker.service
echo "Atom is running: open http://$(hostname).local:8080 to create the household admin."
echo "A voice satellite on this box: pair it, then systemctl enable --now atom-satellite (see README)."
