#!/usr/bin/env bash
# npm run setup: installs the Debian packages the tests need (scripts/system-deps.txt: Chromium,
# ffmpeg, the real BitTorrent peers), as Playwright's `install --with-deps` does for its browsers:
# with apt-get, as root or through sudo; otherwise it says exactly what to run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps-lib.sh

missing=$(deps_missing)
if [ -z "$missing" ]; then
  echo "setup: every package the tests need is installed."
  exit 0
fi
install="apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing"
# dpkg's hundreds of lines go to a log, shown only when something fails (sudo asks on the terminal)
quietly() {
  local log
  log=$(mktemp -t setup-apt.XXXXXX)
  if ! "$@" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "setup: apt-get failed (the whole log: $log)" >&2
    exit 1
  fi
  rm -f "$log"
}

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: this system has no apt-get (the tests are set up for Debian 12). Install these Debian packages, or your system's equivalents: $missing" >&2
  exit 1
fi
# noninteractive: no package may stop to ask a question (tzdata, for one)
if [ "$(id -u)" = 0 ]; then
  echo "setup: installing $missing"
  quietly env DEBIAN_FRONTEND=noninteractive bash -c "$install"
elif command -v sudo >/dev/null 2>&1; then
  echo "setup: installing $missing through sudo (it may ask for your password)"
  quietly sudo env DEBIAN_FRONTEND=noninteractive bash -c "$install"
else
  echo "setup: installing needs root, and sudo is not here. As root, run: $install" >&2
  exit 1
fi

missing=$(deps_missing)
if [ -n "$missing" ]; then
  echo "setup: still missing after apt-get: $missing (see scripts/system-deps.txt for what each check looks for)" >&2
  exit 1
fi
echo "setup: done; every package the tests need is installed."
