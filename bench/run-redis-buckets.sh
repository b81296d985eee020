#!/usr/bin/env bash
# What the live redemptions a Redis store already holds cost each new create, by the store's
# bucket count (--redis-buckets): per count, a gateway creates a store with it and its create
# call is captured (bench/lib.sh, capture_create_call); then for each number of live
# redemptions, Redis restarts from that store, its buckets are filled with that many live
# orders and shoppers' counts, and the call is replayed with redis-benchmark
# (bench/redis_buckets.py), the counts taking turns. Prints per number and count: live
# redemptions a bucket, the bytes they take each, and the usec_per_call of FCALL (INFO
# commandstats), the least of ROUNDS runs.
# Usage: bench/run-redis-buckets.sh   Needs a release build (BUILD_DIR, default build/release).
# Then the first count's store, filled with MOVE_LIVE live redemptions, is moved to the last
# count by `uudai redis-rebucket`: its wall time and the Redis CPU of its calls.
# Env: BUCKETS ("4096 65536"), LIVE ("0 100000 500000 1000000 2000000 4000000"), CALLS (30000 a
# run), ROUNDS (3), OFFERS (1000), MOVE_LIVE (1000000; 0: no move). Nothing else should run
# meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

BUCKETS=${BUCKETS:-"4096 65536"}
LIVE=${LIVE:-"0 100000 500000 1000000 2000000 4000000"}
CALLS=${CALLS:-30000}
ROUNDS=${ROUNDS:-3}
MOVE_LIVE=${MOVE_LIVE:-1000000}
OFFERS=${OFFERS:-1000}
SERVER_THREADS=2
BUILD_DIR=${BUILD_DIR:-build/release}
UUDAI="$BUILD_DIR/gateway/uudai"
start_replay_bench redis-server redis-cli redis-benchmark curl python3
echo "uudai $("$UUDAI" version | cut -d' ' -f2) + redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) | $CALLS create calls a run (redis-benchmark -c 20), least of $ROUNDS runs | $(nproc) cores"
# One store per count, side by side in one Redis, each with its create call captured.
stores=""
for buckets in $BUCKETS; do
  prefix="uudai:{b$buckets}:"
  start_uudai --keys "$work/keys.json" --redis "redis://127.0.0.1:$REDIS_PORT" \
    --redis-prefix "$prefix" --redis-buckets "$buckets"
  load_offers
  if ! capture_create_call "http://127.0.0.1:$PORT" "$work/monitor.txt"; then
    echo "$CAPTURE_FAILURE" >&2
    exit 1
  fi
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  # The captured redemption and the probes' are left out, so that every store starts empty.
  redis-cli -p "$REDIS_PORT" --scan --pattern "${prefix}[os]b:*" |
    xargs -r -d '\n' redis-cli -p "$REDIS_PORT" del >/dev/null
  replay_args __rand_int__
  printf '%s\0' "${replay[@]}" >"$work/call-$buckets"
  stores="${stores:+$stores,}$buckets:$prefix:$work/call-$buckets"
done
redis-cli -p "$REDIS_PORT" save >/dev/null
printf '%9s %11s %12s %14s %12s   %s\n' buckets live 'a bucket' 'bytes each' 'µs a create' runs
# shellcheck disable=SC2086  # LIVE is a list of numbers
python3 bench/redis_buckets.py "$REDIS_PORT" "$work/redis" "$CALLS" "$ROUNDS" "$stores" $LIVE

first=${BUCKETS%% *}
last=${BUCKETS##* }
if [ "$MOVE_LIVE" -gt 0 ] && [ "$first" != "$last" ]; then
  python3 bench/redis_buckets.py fill "$REDIS_PORT" "$work/redis" "$first" "uudai:{b$first}:" "$MOVE_LIVE"
  redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
  began=$(date +%s%N)
  "$UUDAI" redis-rebucket --redis "redis://127.0.0.1:$REDIS_PORT" --redis-prefix "uudai:{b$first}:" \
    --redis-buckets "$last" --log-level warn
  ended=$(date +%s%N)
  fcall=$(redis-cli -p "$REDIS_PORT" info commandstats | grep '^cmdstat_fcall:' | tr -d '\r')
  echo "moved $MOVE_LIVE live redemptions from $first to $last buckets (uudai redis-rebucket):" \
    "$(( (ended - began) / 1000000 )) ms | $fcall"
fi
