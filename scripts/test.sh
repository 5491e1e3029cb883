#!/usr/bin/env bash
# npm test: the type check (strict, no unused code), unit tests, then browser tests against real peers. As root, everything runs in a
# network namespace that has only loopback, so no test can reach beyond this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
# Chromium, ffmpeg and the real peers from Debian (`npm run setup`): say so at once, not ten minutes in.
bash scripts/check-deps.sh

# Each step must pass for the next to run: inside `bash -c` below, the caller's `set -e` does not apply.
run() {
  npm run --silent typecheck && npx vitest run && npx playwright test "$@"
}

if [ "${TEST_NO_NETNS:-}" != 1 ] && [ "$(id -u)" = 0 ] && command -v ip >/dev/null && unshare -n true 2>/dev/null; then
  export -f run
  exec unshare -n bash -c 'ip link set lo up && run "$@"' bash "$@"
fi
run "$@"
