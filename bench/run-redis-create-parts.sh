#!/usr/bin/env bash
# What each part of a redemption's create costs Redis: the store's create call, captured from
# a gateway (bench/lib.sh, capture_create_call), replayed with redis-benchmark against the
# library whole and with one part taken out at a time (bench/redis_create_parts.py), every run
# from the same data (1,000 offers, no redemption yet), on a redis-server without AOF and with
# nothing else running. Prints the usec_per_call of FCALL (INFO commandstats) of each, the
# least of ROUNDS runs, and what each part costs: where the Redis CPU of a create goes.
# Usage: bench/run-redis-create-parts.sh   Needs a release build (BUILD_DIR, default
# build/release). Env: CALLS (50000 a run), ROUNDS (5), OFFERS (1000).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

CALLS=${CALLS:-50000}
ROUNDS=${ROUNDS:-5}
OFFERS=${OFFERS:-1000}
SERVER_THREADS=2
BUILD_DIR=${BUILD_DIR:-build/release}
UUDAI="$BUILD_DIR/gateway/uudai"
start_replay_bench redis-server redis-cli redis-benchmark wrk curl python3
start_uudai --keys "$work/keys.json" --redis "redis://127.0.0.1:$REDIS_PORT" \
  --redis-prefix 'uudai:{bench}:'
load_offers
if ! capture_create_call "http://127.0.0.1:$PORT" "$work/monitor.txt"; then
  echo "$CAPTURE_FAILURE" >&2
  exit 1
fi
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
replay_args __rand_int__
printf '%s\0' "${replay[@]}" >"$work/call"
redis-cli -p "$REDIS_PORT" save >/dev/null
echo "uudai $("$UUDAI" version | cut -d' ' -f2) + redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) | $CALLS create calls a run (redis-benchmark -c 20), least of $ROUNDS runs | $(nproc) cores"
python3 bench/redis_create_parts.py "$REDIS_PORT" "$work/redis" "$work/call" "$CALLS" "$ROUNDS"
