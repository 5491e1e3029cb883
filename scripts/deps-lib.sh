# Shared by scripts/setup.sh and scripts/check-deps.sh: reads scripts/system-deps.txt.
# shellcheck shell=bash

DEPS_FILE="$(dirname "${BASH_SOURCE[0]}")/system-deps.txt"

# Prints "package kind argument" for each line of the list.
deps_list() {
  grep -v '^[[:space:]]*\(#\|$\)' "$DEPS_FILE"
}

# Whether the tests can use the package: its command, file or Python module is there.
# CHROMIUM_PATH (as test/support/browser.ts reads it) stands in for Debian's Chromium.
dep_present() {
  local package=$1 kind=$2 arg=$3
  if [ "$package" = chromium ] && [ -n "${CHROMIUM_PATH:-}" ]; then arg=$CHROMIUM_PATH; fi
  case "$kind" in
    command) command -v "$arg" >/dev/null 2>&1 ;;
    file) [ -e "$arg" ] ;;
    # Debian's own Python, which its python3-* packages serve (a pyenv or venv python3 on the PATH does not see them)
    python) [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import $arg" >/dev/null 2>&1 ;;
    *) echo "scripts/system-deps.txt: unknown check '$kind' for $package" >&2; return 2 ;;
  esac
}

# The packages whose check fails, space-separated.
deps_missing() {
  local package kind arg missing=()
  while read -r package kind arg; do
    dep_present "$package" "$kind" "$arg" || missing+=("$package")
  done < <(deps_list)
  echo "${missing[*]}"
}
