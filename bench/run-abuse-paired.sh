#!/usr/bin/env bash
# Abuse bench with a control that runs at the same time: what the abuse costs the abused
# gateway's normal traffic, apart from the noise of a shared VM.
#
# bench/run-abuse-bench.sh compares two runs taken a minute apart; on this VM the p99 of the
# same unabused load varies 0.5 → 20 ms from one minute to the next, so its ratio can be
# anything. Here two identical uudai processes (A and B, same flags, same offers) take the
# same paced quote load at the same time, and only one of them is abused:
#   each round starts bench/abuse_client.py (SLOWLORIS slow-loris + IDLE idle keep-alive
#   connections, replaced as the server closes them) against one of the two, waits until all
#   are open, then runs two wrk processes at once, RATE quotes/s against each, for DURATION.
#   The abused one alternates (A in odd rounds, B in even ones), so a difference between the
#   two processes cancels out.
# Per round it prints both p50/p99 and the ratio p99 abused / p99 clean; at the end the
# median of the ratios (goal: ≈ 1, normal traffic keeps its p99). Whatever stalls the VM
# stalls both in the same window; what the abused gateway's event loop spends on the abuse
# (trickled header reads, the header timeouts' close-and-reconnect churn) shows only on its
# side. The abuse client and both wrk share the cores with both gateways.
# Usage: bench/run-abuse-paired.sh   (env: ROUNDS=6, OFFERS=1000, RATE=2000, CONNECTIONS=16,
#        DURATION=20s, SLOWLORIS=1000, IDLE=1000, SERVER_THREADS=1, MAX_CONNECTIONS=4096,
#        BUILD_DIR, SERVER_ARGS: more `uudai serve` flags for both). Needs a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

ROUNDS=${ROUNDS:-6}
OFFERS=${OFFERS:-1000}
RATE=${RATE:-2000}
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-20s}
SLOWLORIS=${SLOWLORIS:-1000}
IDLE=${IDLE:-1000}
SERVER_THREADS=${SERVER_THREADS:-1}
MAX_CONNECTIONS=${MAX_CONNECTIONS:-4096}
BUILD_DIR=${BUILD_DIR:-build/release}
read -r -a server_args <<<"${SERVER_ARGS:-}"
UUDAI="$BUILD_DIR/gateway/uudai"
export RATE CONNECTIONS
[ -x "$UUDAI" ] || { echo "no $UUDAI: build the release preset first" >&2; exit 1; }
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: deploy/install-deps.sh" >&2; exit 1; }
done
need=$((SLOWLORIS + IDLE + 2 * CONNECTIONS + 256))
raise_fd_limit "$need"

work=$(mktemp -d)
pids=()
abuser_pid=""
cleanup() {
  if [ -n "$abuser_pid" ]; then kill "$abuser_pid" 2>/dev/null || true; fi
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

write_bench_keys "$work"
ports=()
for name in a b; do
  PORT=$(free_port $((18400 + ${#ports[@]} * 500)))
  start_uudai --keys "$work/keys.json" --data-dir "$work/data-$name" \
    --max-connections "$MAX_CONNECTIONS" ${server_args[@]+"${server_args[@]}"}
  pids+=("$server_pid")
  ports+=("$PORT")
  load_offers
done

# wrk_field FILE PERCENT: that latency percentile from wrk --latency output, in ms.
wrk_field() { to_ms "$(awk -v p="$2%" '$1 == p {print $2}' "$1")"; }
# wrk_errors FILE: non-2xx answers plus socket errors.
wrk_errors() {
  awk '/Non-2xx/ {n += $5} /Socket errors/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$1"
}
# quote_load PORT NAME: the paced quote load against PORT for DURATION, into $work/NAME.out.
quote_load() {
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --timeout 5s --latency -s bench/wrk/quote_paced.lua \
    "http://127.0.0.1:$1" >"$work/$2.out"
}

echo
echo "uudai $("$UUDAI" version | cut -d' ' -f2) | two gateways, offers $OFFERS each | server threads $SERVER_THREADS | quotes: wrk -t1 -c$CONNECTIONS -d$DURATION paced at $RATE req/s against each, at once | abuse: $SLOWLORIS slow-loris + $IDLE idle at one of them | server args: ${SERVER_ARGS:-none} | $(nproc) cores"
printf '%-6s %-8s %11s %11s %11s %11s %9s %8s\n' round abused 'p50 abused' 'p99 abused' \
  'p50 clean' 'p99 clean' 'p99 ratio' 'errors'
hold=$(($(duration_seconds "$DURATION") + 5))
for round in $(seq 1 "$ROUNDS"); do
  abused=$(((round - 1) % 2))
  clean=$((1 - abused))
  rm -f "$work/ready"
  python3 bench/abuse_client.py --port "${ports[$abused]}" --slowloris "$SLOWLORIS" \
    --idle "$IDLE" --hold "$hold" --ready-file "$work/ready" >"$work/abuse.json" &
  abuser_pid=$!
  for _ in $(seq 1 600); do
    [ -s "$work/ready" ] && break
    sleep 0.1
  done
  [ -s "$work/ready" ] || { echo "abusive connections not all open after 60 s" >&2; exit 1; }
  quote_load "${ports[$abused]}" abused &
  abused_wrk=$!
  quote_load "${ports[$clean]}" clean &
  clean_wrk=$!
  wait "$abused_wrk" "$clean_wrk"
  wait "$abuser_pid"
  abuser_pid=""
  errors=0
  for side in abused clean; do
    errors=$((errors + $(wrk_errors "$work/$side.out")))
  done
  p99a=$(wrk_field "$work/abused.out" 99)
  p99c=$(wrk_field "$work/clean.out" 99)
  ratio=$(awk -v a="$p99a" -v c="$p99c" 'BEGIN { printf "%.2f", a / c }')
  echo "$ratio" >>"$work/ratios"
  printf '%-6s %-8s %9.3fms %9.3fms %9.3fms %9.3fms %9s %8s\n' "$round" "$([ "$abused" = 0 ] && echo A || echo B)" \
    "$(wrk_field "$work/abused.out" 50)" "$p99a" "$(wrk_field "$work/clean.out" 50)" "$p99c" \
    "$ratio" "$errors"
done
sort -n "$work/ratios" | awk '{ v[NR] = $1 } END {
  m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
  printf "p99 abused / clean, same window: median %.2f over %d rounds (min %.2f, max %.2f); goal ≈ 1\n", m, NR, v[1], v[NR] }'
