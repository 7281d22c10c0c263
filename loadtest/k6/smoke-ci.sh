#!/usr/bin/env bash
# CI's k6 step: starts `npm start` in the background, waits until the gateway answers, runs
# loadtest/k6/smoke.js against it, stops the stack with SIGTERM and exits with smoke's status.
# Without a k6 binary it says why and exits 0 (the step is skipped, not failed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if ! k6="$(bash loadtest/k6/k6.sh --which 2>/tmp/portico-k6-which.$$)"; then
  echo "k6 smoke: skipped: $(cat /tmp/portico-k6-which.$$)"
  rm -f /tmp/portico-k6-which.$$
  exit 0
fi
rm -f /tmp/portico-k6-which.$$
echo "k6 smoke: using $k6 ($("$k6" version | head -n 1))"

base="${BASE_URL:-http://127.0.0.1:8080}"
# A known admin, so smoke's setup can publish the PDF the download step needs.
export PORTICO_ADMIN_EMAIL="${PORTICO_ADMIN_EMAIL:-admin@ci.portico.test}"
export PORTICO_ADMIN_PASSWORD="${PORTICO_ADMIN_PASSWORD:-ci-smoke-passphrase-$RANDOM$RANDOM}"
log="$(mktemp -t portico-smoke-stack.XXXXXX.log)"

# Its own process group, so the stop reaches npm and everything it started.
setsid npm start >"$log" 2>&1 &
stack=$!
stop_stack() {
  if kill -0 "$stack" 2>/dev/null; then
    kill -TERM -- "-$stack" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$stack" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$stack" 2>/dev/null; then
      echo "k6 smoke: npm start did not stop within 30 s of SIGTERM; killing it" >&2
      kill -KILL -- "-$stack" 2>/dev/null || true
    fi
  fi
}
trap stop_stack EXIT

# Ready: the gateway answers through to programs, and each service of `portico dev` (on its
# default port) says it is ready.
status_of() { curl -s -o /dev/null -w '%{http_code}' "$1" || true; }
is_ready() {
  [ "$(status_of "$base/api/v1/programs?limit=1")" = 200 ] || return 1
  local port
  for port in 7101 7102 7103 7104; do
    [ "$(status_of "http://127.0.0.1:$port/readyz")" = 200 ] || return 1
  done
}
ready=false
for _ in $(seq 1 240); do
  if ! kill -0 "$stack" 2>/dev/null; then break; fi
  if is_ready; then
    ready=true
    break
  fi
  sleep 0.5
done
if [ "$ready" != true ]; then
  echo "k6 smoke: the stack was not ready (gateway and the four services) within 120 s; its log:" >&2
  tail -n 50 "$log" >&2
  exit 1
fi

status=0
BASE_URL="$base" ADMIN_EMAIL="$PORTICO_ADMIN_EMAIL" ADMIN_PASSWORD="$PORTICO_ADMIN_PASSWORD" \
  "$k6" run --quiet loadtest/k6/smoke.js || status=$?
stop_stack
trap - EXIT
if [ "$status" -ne 0 ]; then
  echo "k6 smoke: failed (k6 exit $status); the stack's log: $log" >&2
  exit "$status"
fi
rm -f "$log"
echo "k6 smoke: passed"
