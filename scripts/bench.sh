#!/usr/bin/env bash
# npm run bench: as root, in a loopback-only network namespace (like the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
npx vite build --logLevel warn
node scripts/build-server.mjs
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && unshare -n true 2>/dev/null; then
  exec unshare -n bash -c 'ip link set lo up && node --import tsx test/bench/run.ts'
fi
exec node --import tsx test/bench/run.ts
