#!/usr/bin/env bash
# Runs one k6 script against the project's own stack, started here and stopped afterwards:
#
#   loadtest/k6/run-on-dev.sh [--loadtest-config] [--sla] SCRIPT [k6 run options...]
#   SUMMARY_EXPORT=loadtest/results/k6-load.json loadtest/k6/run-on-dev.sh --loadtest-config --sla loadtest/k6/load.js
#
# - starts `npm start` in the background (with --loadtest-config: `portico dev --config
#   loadtest/portico.loadtest.yaml`, the gateway as behind a load balancer, and each VU sends its
#   own client address: CLIENT_IP_HEADER=X-Forwarded-For), with a known admin so setup can publish
#   the PDF the download step needs;
# - waits until the gateway and the four services answer, runs SCRIPT with k6 (found by
#   loadtest/k6/k6.sh: $K6, PATH, ../shared/tools/k6), stops the stack with SIGTERM to its
#   process group, and exits non-zero when the run failed. Without a k6 binary it says why and
#   exits 0 (skipped): CI's k6 step is `loadtest/k6/run-on-dev.sh loadtest/k6/smoke.js`.
#
# SUMMARY_EXPORT=FILE keeps k6's end-of-test summary (JSON). What fails the run: by default, any failed check or failed request (the functional question:
# does every step work?); the latency thresholds are printed but do not gate, because a machine
# shared with other jobs measures its neighbours, not Portico. With --sla, k6's own verdict on
# every threshold of the script decides (for load, stress and spike runs on an idle machine).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

loadtest_config=false
sla=false
while [ "$#" -gt 0 ]; do
  case "$1" in
    --loadtest-config) loadtest_config=true ;;
    --sla) sla=true ;;
    *) break ;;
  esac
  shift
done
if [ "$#" -lt 1 ]; then
  echo "usage: loadtest/k6/run-on-dev.sh [--loadtest-config] [--sla] SCRIPT [k6 run options...]" >&2
  exit 2
fi
script="$1"
shift
name="k6 $(basename "$script" .js)"

why="$(mktemp -t portico-k6-which.XXXXXX)"
if ! k6="$(bash loadtest/k6/k6.sh --which 2>"$why")"; then
  echo "$name: skipped: $(cat "$why")"
  rm -f "$why"
  exit 0
fi
rm -f "$why"
echo "$name: using $k6 ($("$k6" version | head -n 1))"

base="${BASE_URL:-http://127.0.0.1:8080}"
# A known admin, so smoke's setup can publish the PDF the download step needs.
export PORTICO_ADMIN_EMAIL="${PORTICO_ADMIN_EMAIL:-admin@k6.portico.test}"
export PORTICO_ADMIN_PASSWORD="${PORTICO_ADMIN_PASSWORD:-k6-run-passphrase-$RANDOM$RANDOM}"
log="$(mktemp -t portico-k6-stack.XXXXXX.log)"
# A data dir of its own: the admin above is created on a data dir's first start only, so a kept
# one (npm start's default, .data/dev) would still hold an earlier run's admin password.
data_dir="$(mktemp -d -t portico-k6-data.XXXXXX)"

# Another stack on the same ports would be measured instead of ours: refuse.
if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/" || true)" != 000 ]; then
  echo "$name: something already answers on $base; stop it first" >&2
  exit 1
fi

# Its own process group, so the stop reaches npm and everything it started.
if [ "$loadtest_config" = true ]; then
  export CLIENT_IP_HEADER=X-Forwarded-For
  setsid node gateway/bin/portico.js dev --config loadtest/portico.loadtest.yaml --data-dir "$data_dir" >"$log" 2>&1 &
else
  setsid npm start -- --data-dir "$data_dir" >"$log" 2>&1 &
fi
stack=$!
stop_stack() {
  if kill -0 "$stack" 2>/dev/null; then
    kill -TERM -- "-$stack" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$stack" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$stack" 2>/dev/null; then
      echo "$name: npm start did not stop within 30 s of SIGTERM; killing it" >&2
      kill -KILL -- "-$stack" 2>/dev/null || true
    fi
  fi
}
trap 'stop_stack; rm -rf "$data_dir"' EXIT

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
  echo "$name: the stack was not ready (gateway and the four services) within 120 s; its log:" >&2
  tail -n 50 "$log" >&2
  exit 1
fi

summary="$(mktemp -t portico-k6-summary.XXXXXX.json)"
thresholds=(--no-thresholds)
[ "$sla" = true ] && thresholds=()
status=0
BASE_URL="$base" ADMIN_EMAIL="$PORTICO_ADMIN_EMAIL" ADMIN_PASSWORD="$PORTICO_ADMIN_PASSWORD" \
  "$k6" run "${thresholds[@]}" --summary-export "$summary" "$@" "$script" || status=$?
stop_stack
rm -rf "$data_dir"
trap - EXIT
if [ -n "${SUMMARY_EXPORT:-}" ] && [ -s "$summary" ]; then cp "$summary" "$SUMMARY_EXPORT"; fi
if [ "$status" -eq 0 ] && [ "$sla" != true ]; then
  # The functional verdict, from k6's own counts: every check held, no request failed.
  node -e '
    const { metrics } = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const checks = metrics.checks ?? { passes: 0, fails: 0 };
    const failed = metrics.http_req_failed?.passes ?? 0;
    console.log(`${process.argv[2]}: ${checks.passes} checks passed, ${checks.fails} failed; ${failed} failed requests`);
    process.exit(checks.passes > 0 && checks.fails === 0 && failed === 0 ? 0 : 1);
  ' "$summary" "$name" || status=1
fi
rm -f "$summary"
if [ "$status" -ne 0 ]; then
  echo "$name: failed (status $status); the stack's log: $log" >&2
  exit "$status"
fi
rm -f "$log"
echo "$name: passed"
