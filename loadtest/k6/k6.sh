#!/usr/bin/env bash
# Runs k6 with the given arguments, wherever it is: $K6, else `k6` on PATH, else
# ../shared/tools/k6 relative to the repository root. `loadtest/k6/k6.sh --which` prints the
# binary it would run (exit 0) or why there is none (exit 3), without running anything.
#
#   loadtest/k6/k6.sh run loadtest/k6/smoke.js
#   K6=/opt/k6/k6 loadtest/k6/k6.sh run loadtest/k6/load.js
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

find_k6() {
  if [ -n "${K6:-}" ]; then
    if [ -x "$K6" ]; then
      printf '%s\n' "$K6"
      return 0
    fi
    echo "k6: K6 is set to '$K6', which is not an executable file" >&2
    return 3
  fi
  if command -v k6 >/dev/null 2>&1; then
    command -v k6
    return 0
  fi
  local shared="$root/../shared/tools/k6"
  if [ -x "$shared" ]; then
    printf '%s\n' "$(cd "$(dirname "$shared")" && pwd)/k6"
    return 0
  fi
  echo "k6: no k6 binary found (looked at \$K6, unset; 'k6' on PATH; $shared). Install k6, or set K6=/path/to/k6" >&2
  return 3
}

if [ "${1:-}" = "--which" ]; then
  find_k6
  exit $?
fi
binary="$(find_k6)" || exit 3
exec "$binary" "$@"
