#!/usr/bin/env bash
# Installs the Debian packages a purpose needs, only those missing. Needs root (or sudo).
#
#   scripts/system-packages.sh test      Debian's Chromium, which the browser tests drive, and espeak-ng
#                                        (voices the wake-word tests speak with)
#   scripts/system-packages.sh bench     wrk, the HTTP load generator the benchmarks use, and espeak-ng
set -euo pipefail

fail() {
  echo "system-packages.sh: $1" >&2
  echo "  fix: $2" >&2
  exit 1
}

case "${1:-}" in
  test) wanted=(chromium espeak-ng) ;;
  bench) wanted=(wrk espeak-ng) ;;
  *) fail "unknown purpose '${1:-}'." "run it as: scripts/system-packages.sh test (or bench)" ;;
esac

command -v dpkg-query >/dev/null 2>&1 ||
  fail "this is not a Debian-like system (no dpkg-query)." "install ${wanted[*]} with this system's package manager, then run make again"

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "installing ${missing[*]} needs root." "run: su -c 'apt-get install ${missing[*]}', then make again"
  sudo_cmd=(sudo)
fi
echo "installing Debian packages: ${missing[*]}" >&2
"${sudo_cmd[@]}" apt-get update -qq ||
  fail "apt-get update failed (its message is above)." "check that this box reaches Debian's mirrors, then run make again"
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
  fail "apt-get could not install ${missing[*]} (its message is above)." "install them by hand (sudo apt-get install ${missing[*]}), then run make again"
