#!/usr/bin/env bash
# How low a create's Redis CPU could go in a Redis script: bench/redis_least_create.lua (the
# reads and writes uudai's guarantees need for one applied offer, nothing more: no event, no
# ledger, none of the store's logic) replayed by redis-benchmark on a private redis-server
# without AOF, in three forms (the idempotency claim as a key with a TTL, as uudai keeps it,
# with the log entry; the claim as a field of a small hash; that and no log entry, which no
# multi-gateway store can do without), and beside it the hand-written endpoint's script
# (PEER_DIR/quota.lua) when it is there. Each run starts from an empty Redis; prints the
# usec_per_call of EVALSHA (INFO commandstats) of every run.
# Usage: bench/run-redis-least-create.sh   Env: CALLS (100000 a run), ROUNDS (3), RECORD (180:
# the record's bytes, about a redemption's in uudai's store), PEER_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

CALLS=${CALLS:-100000}
ROUNDS=${ROUNDS:-3}
RECORD=${RECORD:-180}
PEER_DIR=${PEER_DIR:-$PWD/../shared/peer}
for tool in redis-server redis-cli redis-benchmark python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: deploy/install-deps.sh" >&2; exit 1; }
done
work=$(mktemp -d)
REDIS_PORT=""
cleanup() {
  [ -z "$REDIS_PORT" ] || redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
REDIS_PORT=$(free_port 16400)
mkdir -p "$work/redis"
start_redis "$work/redis" --appendonly no
rcli() { redis-cli -p "$REDIS_PORT" "$@"; }
record=$(python3 -c "print('x' * $RECORD)")

# run LABEL SHA NUMKEYS ARGS...: ROUNDS runs of CALLS calls from an empty Redis.
run() {
  local label=$1 sha=$2 line
  shift 2
  line="$label:"
  for _ in $(seq 1 "$ROUNDS"); do
    rcli flushall >/dev/null
    rcli config resetstat >/dev/null
    redis-benchmark -p "$REDIS_PORT" -c 50 -n "$CALLS" -r 1000000000 -q EVALSHA "$sha" "$@" >/dev/null
    line+=" $(rcli info commandstats | tr -d '\r' | awk -F'[=,]' '/^cmdstat_evalsha:/ {print $6}')"
  done
  echo "$line µs a call"
}

echo "redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) | $CALLS calls a run (redis-benchmark -c 50), $ROUNDS runs each, from an empty Redis | record $RECORD B | $(nproc) cores"
least=$(rcli script load "$(cat bench/redis_least_create.lua)")
create_args=(0 key:__rand_int__ shop-1/order-__rand_int__ s-__rand_int__ o-1 1000 r-__rand_int__ "$record")
run "least create, claim a key with a TTL, log entry" "$least" "${create_args[@]}" key log
run "least create, claim in a bucket, log entry" "$least" "${create_args[@]}" bucket log
run "least create, claim in a bucket, no log entry" "$least" "${create_args[@]}" bucket nolog
if [ -f "$PEER_DIR/quota.lua" ]; then
  peer=$(rcli script load "$(cat "$PEER_DIR/quota.lua")")
  run "the endpoint's script (quota, shopper, budget)" "$peer" 3 b:used b:users b:budget 100000000000 __rand_int__ 1000000 50000
else
  echo "the endpoint's script: skipped (no $PEER_DIR/quota.lua)"
fi
