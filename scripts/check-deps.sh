#!/usr/bin/env bash
# Before `npm test` runs anything: every Debian package the tests need is there, or one line says
# which are missing and the command that installs them.
set -euo pipefail
. "$(dirname "$0")/deps-lib.sh"

missing=$(deps_missing)
if [ -n "$missing" ]; then
  echo "npm test needs Debian packages that are missing here: $missing. Install them with: npm run setup (as root or with sudo; it runs apt-get install -y --no-install-recommends $missing)" >&2
  exit 1
fi
