#!/usr/bin/env bash
# Gateway load bench (wrk), all in one run so the figures can be compared as ratios:
#   1. starts uudai (embedded store, fresh journal) on a free loopback port;
#   2. registers OFFERS offers (default 1,000) over HTTP;
#   3. measures GET /healthz, POST /v1/checkout/quote (5-item carts, random shops) and
#      POST /v1/redemptions with "commit": true (reserve + commit, journal fsync'd);
#   4. measures the same GET /healthz on bench/bare_beast_server (a bare Beast keep-alive
#      server, one thread, the same answer), just before and just after uudai's own;
#   5. prints requests/s, p50 and p99 for each, the ratio quote/healthz (goal ≥ 0.8) and
#      healthz/bare (goal ≥ 0.9: within 10 % of bare Beast; compare at SERVER_THREADS=1).
# Usage: bench/run-gateway-bench.sh   (env: OFFERS, DURATION, CONNECTIONS, SERVER_THREADS,
#        WRK_THREADS, BUILD_DIR). Needs a release build: cmake --preset release && cmake --build --preset release
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

OFFERS=${OFFERS:-1000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
SERVER_THREADS=${SERVER_THREADS:-1}
WRK_THREADS=${WRK_THREADS:-1}
BUILD_DIR=${BUILD_DIR:-build/release}
UUDAI="$BUILD_DIR/gateway/uudai"
BARE="$BUILD_DIR/bench/bare_beast_server"
[ -x "$UUDAI" ] || { echo "no $UUDAI: build the release preset first" >&2; exit 1; }
[ -x "$BARE" ] || { echo "no $BARE: build the release preset first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: deploy/install-deps.sh installs it" >&2; exit 1; }

work=$(mktemp -d)
server_pid=""
bare_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; then wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$bare_pid" ] && kill "$bare_pid" 2>/dev/null; then wait "$bare_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

write_bench_keys "$work"
PORT=$(free_port 18400)
URL="http://127.0.0.1:$PORT"
start_uudai --keys "$work/keys.json" --data-dir "$work/data"
load_offers
BARE_PORT=$(free_port 18700)
"$BARE" "$BARE_PORT" &
bare_pid=$!
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$BARE_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

# run NAME URL [script] → prints "NAME req/s p50 p99 non2xx"; RPS[NAME] = req/s
declare -A RPS=()
run() {
  local name=$1 target=$2 script=${3:-}
  local out
  if [ -n "$script" ]; then
    out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" "$target")
  else
    out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$target")
  fi
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '%-12s %12s %10s %10s %8s\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}"
  RPS[$name]=$rps
}

echo
echo "uudai $( "$UUDAI" version | cut -d' ' -f2 ) | offers $OFFERS | server threads $SERVER_THREADS | wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION | $(nproc) cores"
printf '%-12s %12s %10s %10s %8s\n' "endpoint" "req/s" "p50" "p99" "non-2xx"
run bare "http://127.0.0.1:$BARE_PORT/healthz"
bare_first=${RPS[bare]}
run healthz "$URL/healthz"
run bare "http://127.0.0.1:$BARE_PORT/healthz"
run quote "$URL" bench/wrk/quote.lua
run redeem "$URL" bench/wrk/redeem.lua
awk -v q="${RPS[quote]}" -v h="${RPS[healthz]}" 'BEGIN { printf "ratio quote/healthz: %.2f (goal >= 0.8)\n", q / h }'
awk -v h="${RPS[healthz]}" -v a="$bare_first" -v b="${RPS[bare]}" 'BEGIN {
  printf "ratio healthz/bare Beast: %.2f (bare: the mean of the runs before and after, %.0f and %.0f req/s; goal >= 0.9)\n", h / ((a + b) / 2), a, b }'
