#!/usr/bin/env bash
# Install the Debian packages mmusim needs, when they are missing.
# Safe to run repeatedly; needs root (or sudo) only when something is missing.
set -eu
pkgs="build-essential pkg-config libsqlite3-dev libcjson-dev check gnuplot-nox liblzma-dev zlib1g-dev python3 sqlite3"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps.sh: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
