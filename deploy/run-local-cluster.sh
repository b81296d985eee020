#!/usr/bin/env bash
# Starts uudai's Redis mode on loopback: one redis-server (deploy/redis.conf: AOF,
# appendfsync always) and two gateways sharing it, on 127.0.0.1:8081 (which registers the
# demo October campaign on an empty store, --demo) and 127.0.0.1:8082, with the demo keys of
# deploy/demo-keys.json. A change made through either gateway is served by the other one.
# Waits until both answer /readyz, prints curl examples, and runs until Ctrl-C or SIGTERM,
# which stop the gateways first (they drain), then Redis (it fsyncs its AOF).
#
# State persists in $UUDAI_CLUSTER_DIR (default ./data/cluster; Redis's AOF in redis/, its
# log in redis.log): a second run resumes it. `rm -rf data/cluster` starts over.
# Settings (environment): UUDAI_CLUSTER_REDIS_PORT (6390), UUDAI_CLUSTER_PORT1 (8081),
# UUDAI_CLUSTER_PORT2 (8082), UUDAI_CLUSTER_DIR, UUDAI_CLUSTER_BIN (uudai binary, default
# build/release/gateway/uudai: built if missing; rebuild it yourself after changing code).
# Extra arguments go to both `uudai serve` (e.g. --threads 1 --log-level warn).
set -euo pipefail
cd "$(dirname "$0")/.."

redis_port=${UUDAI_CLUSTER_REDIS_PORT:-6390}
ports=("${UUDAI_CLUSTER_PORT1:-8081}" "${UUDAI_CLUSTER_PORT2:-8082}")
dir=${UUDAI_CLUSTER_DIR:-./data/cluster}
default_bin=build/release/gateway/uudai
bin=${UUDAI_CLUSTER_BIN:-$default_bin}
keys=deploy/demo-keys.json

say() { echo "run-local-cluster: $*" >&2; }
die() { say "$*"; exit 1; }

# --- Checks before anything is started -------------------------------------------------
for port in "$redis_port" "${ports[@]}"; do
  if ! [[ $port =~ ^[0-9]+$ ]] || ((port == 0 || port > 65535)); then die "not a port: '$port'"; fi
done
if [[ $redis_port == "${ports[0]}" || $redis_port == "${ports[1]}" || ${ports[0]} == "${ports[1]}" ]]; then
  die "the three ports must differ (Redis $redis_port, gateways ${ports[*]})"
fi

# A port is busy when something accepts a connection on it (bash's /dev/tcp: no ss/lsof
# needed). Refusing is safer than guessing: it may be a previous run, or a real service.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
busy=()
for port in "$redis_port" "${ports[@]}"; do
  if port_busy "$port"; then busy+=("$port"); fi
done
if ((${#busy[@]} > 0)); then
  die "port(s) ${busy[*]} on 127.0.0.1 already in use (a previous run still going? an
  orphaned redis-server stops with 'redis-cli -p $redis_port shutdown'). Stop it, or choose
  others: UUDAI_CLUSTER_REDIS_PORT=6391 UUDAI_CLUSTER_PORT1=8091 UUDAI_CLUSTER_PORT2=8092 $0"
fi

# Build only when the binary is missing, never behind the user's back otherwise.
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null ||
   ! command -v curl >/dev/null || { [[ $bin == "$default_bin" ]] && [[ ! -x $bin ]]; }; then
  deploy/install-deps.sh
fi
if [[ ! -x $bin ]]; then
  [[ $bin == "$default_bin" ]] || die "UUDAI_CLUSTER_BIN=$bin is not an executable"
  say "building $bin (release preset)"
  cmake --preset release >/dev/null
  cmake --build --preset release -j2 --target uudai
fi

admin_key=$(sed -n 's/.*"key": *"\([^"]*\)", *"role": *"admin".*/\1/p' "$keys" | head -1)
[[ -n $admin_key ]] || die "no admin key in $keys"

mkdir -p "$dir/redis"
dir=$(cd "$dir" && pwd)

# --- Process supervision ---------------------------------------------------------------
# Every child runs in its own session (setsid): Ctrl-C in the terminal then reaches this
# script only, and the trap stops the children in order — gateways first, so that no
# in-flight redemption loses its Redis, then Redis.
pids=()    # gateway pids, in start order
names=()
redis_pid=

alive() {  # running and not a zombie (kill -0 succeeds on zombies)
  local stat
  # `read`, not $(<file): under set -e a failed $(<file) ends the script, even in a test.
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# shellcheck disable=SC2317  # stop_process and cleanup run from the EXIT trap
stop_process() {  # pid name: SIGTERM, then SIGKILL after 30 s
  local pid=$1 name=$2 i
  [[ -n $pid ]] || return 0
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      say "$name (pid $pid) did not stop within 30 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  local status=0
  wait "$pid" 2>/dev/null || status=$?
  say "$name stopped (exit $status)"
}

# shellcheck disable=SC2317
cleanup() {
  trap '' INT TERM  # a second Ctrl-C must not interrupt the shutdown half-way
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_process "${pids[i]}" "${names[i]}"; done
  stop_process "$redis_pid" "redis-server"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Redis -----------------------------------------------------------------------------
say "starting redis-server on 127.0.0.1:$redis_port (AOF in $dir/redis, log in $dir/redis.log)"
setsid redis-server deploy/redis.conf --port "$redis_port" --dir "$dir/redis" \
  >>"$dir/redis.log" 2>&1 &
redis_pid=$!
for ((i = 0; ; i++)); do
  alive "$redis_pid" || { tail -n 20 "$dir/redis.log" >&2; die "redis-server exited"; }
  # PONG only once the AOF is loaded (LOADING is an error reply).
  [[ $(redis-cli -p "$redis_port" ping 2>/dev/null) == PONG ]] && break
  ((i < 300)) || die "redis-server did not answer within 30 s (see $dir/redis.log)"
  sleep 0.1
done

# --- Gateways --------------------------------------------------------------------------
redis_url="redis://127.0.0.1:$redis_port/0"
start_gateway() {  # port, extra flags...
  local port=$1
  shift
  # Each log line is prefixed with the gateway's port. The prefixing sed ignores INT/TERM so
  # that it outlives the gateway's last (draining) lines.
  setsid "$bin" serve --listen "127.0.0.1:$port" --keys "$keys" --redis "$redis_url" "$@" \
    > >(trap '' INT TERM; exec sed -u "s/^/[gateway :$port] /") 2>&1 &
  pids+=("$!")
  names+=("gateway :$port")
}

wait_ready() {  # port pid
  local i
  for ((i = 0; ; i++)); do
    alive "$2" || die "gateway :$1 exited (its log is above)"
    curl -fsS -m 1 "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
    ((i < 600)) || die "gateway :$1 not ready within 60 s"
    sleep 0.1
  done
}

# The first one registers the demo campaign when the store is empty; the second starts once
# it is ready, so that its load already sees the campaign (it would see it within 1 s anyway).
start_gateway "${ports[0]}" --demo "$@"
wait_ready "${ports[0]}" "${pids[0]}"
start_gateway "${ports[1]}" "$@"
wait_ready "${ports[1]}" "${pids[1]}"

g1=http://127.0.0.1:${ports[0]}
g2=http://127.0.0.1:${ports[1]}
cat >&2 <<EOF

run-local-cluster: ready — gateways $g1 and $g2 share redis://127.0.0.1:$redis_port
  (redis-cli -p $redis_port; keys under uudai:{main}:). Ctrl-C stops all three.

Create an offer through gateway 1 (admin key of $keys):

  curl -s $g1/v1/offers -H 'Authorization: Bearer $admin_key' \\
    -H 'Content-Type: application/json' -d '{
      "merchant_id": "shop-dienmay", "name": "Cluster demo: 300.000 ₫ off from 1.000.000 ₫",
      "discount": {"type": "fixed", "value": 300000}, "min_order_amount": 1000000,
      "starts_at": "2026-01-01T00:00:00+07:00", "ends_at": "2030-01-01T00:00:00+07:00"}'

and quote it right away through gateway 2 (it applies automatically, no code needed):

  curl -s $g2/v1/checkout/quote -H 'Authorization: Bearer $admin_key' \\
    -H 'Content-Type: application/json' -d '{
      "shopper_id": "shopper-1", "merchant_id": "shop-dienmay", "payment_method": "momo",
      "shipping_fee": 30000,
      "items": [{"sku": "tv-55", "category": "electronics", "unit_price": 1200000, "quantity": 1}]}'

Stats through either gateway: curl -s $g2/v1/stats/campaign -H 'Authorization: Bearer $admin_key'
More requests: docs/walkthrough.md (set B=$g1 or B=$g2).

EOF

# Run until a signal (the traps above) or until a child dies on its own.
status=0
wait -n "$redis_pid" "${pids[@]}" || status=$?
say "a process exited by itself (status $status): stopping the others"
exit 1
