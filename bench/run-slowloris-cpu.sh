#!/usr/bin/env bash
# What slow-loris connections cost uudai's event loop, as CPU time rather than a latency
# percentile (a p99 below a millisecond moves more with the machine than with the code):
#   1. starts uudai (embedded store, one I/O thread, --header-timeout 3600 so that no
#      connection is cut during the run);
#   2. bench/abuse_client.py holds SLOWLORIS connections, each sending BYTES byte(s) of a
#      request header every BYTE_INTERVAL seconds;
#   3. after SETTLE seconds, reads uudai's CPU time (utime + stime, /proc/PID/stat) over
#      MEASURE seconds, and the sends the client made meanwhile → µs of uudai CPU per slow
#      read.
# Compare two builds in one session: BUILD_DIR=/tmp/old bench/run-slowloris-cpu.sh, then the
# current one, alternately.
# Usage: bench/run-slowloris-cpu.sh   (env: SLOWLORIS=1000, BYTE_INTERVAL=0.1, BYTES=1,
#        SETTLE=8, MEASURE=30, BUILD_DIR). Needs a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

SLOWLORIS=${SLOWLORIS:-1000}
BYTE_INTERVAL=${BYTE_INTERVAL:-0.1}
BYTES=${BYTES:-1}
SETTLE=${SETTLE:-8}
MEASURE=${MEASURE:-30}
SERVER_THREADS=1
BUILD_DIR=${BUILD_DIR:-build/release}
UUDAI="$BUILD_DIR/gateway/uudai"
[ -x "$UUDAI" ] || { echo "no $UUDAI: build the release preset first" >&2; exit 1; }

work=$(mktemp -d)
server_pid=""
client_pid=""
cleanup() {
  [ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null || true
  if [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; then wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n $((SLOWLORIS * 2 + 1024))

write_bench_keys "$work"
PORT=$(free_port 18500)
start_uudai --keys "$work/keys.json" --data-dir "$work/data" --max-connections $((SLOWLORIS + 1024)) \
  --header-timeout 3600 >/dev/null

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
python3 bench/abuse_client.py --port "$PORT" --slowloris "$SLOWLORIS" --idle 0 \
  --hold $((SETTLE + MEASURE + 2)) --byte-interval "$BYTE_INTERVAL" --bytes "$BYTES" \
  --sends-file "$work/sends" >"$work/client.json" &
client_pid=$!
sleep "$SETTLE"
ticks0=$(cpu_ticks)
sends0=$(cat "$work/sends")
sleep "$MEASURE"
ticks1=$(cpu_ticks)
sends1=$(cat "$work/sends")
wait "$client_pid" || true
client_pid=""
hz=$(getconf CLK_TCK)
awk -v t=$((ticks1 - ticks0)) -v s=$((sends1 - sends0)) -v hz="$hz" -v d="$MEASURE" -v b="$BUILD_DIR" 'BEGIN {
  printf "%s: %d slow sends/s, uudai CPU %.1f %% of a core, %.2f us per slow read\n",
    b, s / d, t * 100 / hz / d, (s > 0 ? t * 1e6 / hz / s : 0) }'
