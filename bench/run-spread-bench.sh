#!/usr/bin/env bash
# One store spread over a Redis Cluster's primaries (uudai serve --redis-shards N): how the
# store's Redis load spreads, and what a redemption costs in store calls. One run, on a fresh
# local cluster of 3 primaries and 3 replicas (tests/redis/redis_cluster_fixture.sh: loopback,
# `--appendonly no --save ''`), for each count of data shards in SHARDS_LIST (default "1 3"):
#   1. GATEWAYS gateways (`--redis-shards N`, --threads SERVER_THREADS) on a fresh prefix;
#      OFFERS shop offers over OFFERS/10 shops (bench/wrk/load_offers.lua, through the first
#      gateway), so the shops', and their offers', shards are spread; the others wait until
#      they quote them.
#   2. The uniform load: POST /v1/redemptions ("commit": true, bench/wrk/redeem.lua: a random
#      shop, a new shopper, order and Idempotency-Key each) on every gateway at once for
#      DURATION, wrk -t1 -cCONNECTIONS per gateway. A redemption is one call when its shopper's
#      shard keeps its shop's offers (1 in N), a saga otherwise.
#   3. Per primary (INFO commandstats after CONFIG RESETSTAT before the load): its FCALL calls
#      and usec, and its process CPU (/proc user + system over the load); the spread, max /
#      mean of FCALL usec per primary (goal ≤ 1.25 with 3 data shards); FCALL calls and usec
#      per created redemption over the cluster (store calls a redemption costs, the merges and
#      sweeps of the events included); created redemptions/s and p99. The spread of process CPU
#      too (it also counts what is not the store function: the views' reads, replication).
# WORKLOAD=hot instead: one platform offer (auto, 5 % of the cart, a quota no run reaches) that
# every redemption applies, and no shop offer: with HOT=true (the default) it is a hot offer,
# split into one share per data shard, so a redemption counts it in its shopper's shard (one
# call); HOT=false shows the same offer kept in the first data shard (sagas, one primary busy).
# With one data shard the store lives on one primary: its max / mean is 3 by construction. On
# 2 cores the gateways, wrk and six Redis nodes share the machine: what is shown is how each
# primary's load falls as the store spreads, not more throughput.
# Usage: bench/run-spread-bench.sh   Needs a release build (BUILD_DIR, default build/release).
# Env: SHARDS_LIST ("1 3"), GATEWAYS (2), OFFERS (300), DURATION (10s), CONNECTIONS (8 per
#      gateway), SERVER_THREADS (1), WORKLOAD (uniform | hot), HOT (true), DUMP_STATS (set:
#      also print each primary's busiest commands, those the store function ran included).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

SHARDS_LIST=${SHARDS_LIST:-"1 3"}
GATEWAYS=${GATEWAYS:-2}
OFFERS=${OFFERS:-300}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-8}
SERVER_THREADS=${SERVER_THREADS:-1}
WORKLOAD=${WORKLOAD:-uniform}
HOT=${HOT:-true}
case "$WORKLOAD" in
  uniform) label="" ;;
  hot) label=" (one offer, hot: $HOT)" ;;
  *) echo "WORKLOAD is uniform or hot" >&2; exit 1 ;;
esac
BUILD_DIR=${BUILD_DIR:-build/release}
UUDAI="$BUILD_DIR/gateway/uudai"
FIXTURE=tests/redis/redis_cluster_fixture.sh
[ -x "$UUDAI" ] || { echo "no $UUDAI: build the release preset first" >&2; exit 1; }
for tool in wrk redis-server redis-cli curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: deploy/install-deps.sh" >&2; exit 1; }
done

work=$(mktemp -d)
cluster_dir="$work/cluster"
cluster_started=""
pids=()
cleanup() {
  local p
  for p in "${pids[@]}" ${server_pid:-}; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}" ${server_pid:-}; do wait "$p" 2>/dev/null || true; done
  [ -z "$cluster_started" ] || "$FIXTURE" stop "$cluster_dir" || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

summary=()
figure() { summary+=("$(printf '%-64s %-40s %s' "$1" "$2" "$3")"); }

cluster_started=yes
"$FIXTURE" start "$cluster_dir" --appendonly no --save ''
cluster_primaries "$cluster_dir"
write_bench_keys "$work"
proc_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
node_pid() { cat "$cluster_dir/node-$1/redis.pid"; }
hz=$(getconf CLK_TCK)
# fcall_stat PORT FIELD: calls or usec of FCALL (with FCALL_RO) in INFO commandstats.
fcall_stat() {
  redis-cli -p "$1" info commandstats | tr -d '\r' |
    awk -F'[:,=]' -v f="$2" '/^cmdstat_fcall(_ro)?:/ {for (i = 2; i < NF; i += 2) if ($i == f) t += $(i + 1)} END {print t + 0}'
}

for shards in $SHARDS_LIST; do
  prefix="uudai:{spread-$shards}:"
  urls=()
  gw=()
  for g in $(seq 1 "$GATEWAYS"); do
    PORT=$(free_port $((18400 + 20 * g)))
    start_uudai --keys "$work/keys.json" --redis "$CLUSTER_URL" --redis-prefix "$prefix" \
      --redis-shards "$shards"
    pids+=("$server_pid")
    gw+=("$server_pid")
    urls+=("http://127.0.0.1:$PORT")
  done
  PORT=${urls[0]##*:}
  expected=$OFFERS
  if [ "$WORKLOAD" = hot ]; then
    SHOPS=100
    expected=1
    curl -sf "${urls[0]}/v1/offers" -H "Authorization: Bearer $ADMIN_KEY" \
      -H 'Content-Type: application/json' -d '{"merchant_id":"platform","layer":"platform",
        "name":"Tháng tiêu dùng số: giảm 5 %","discount":{"type":"percent","value":5,
        "max_amount":50000},"starts_at":"2026-01-01T00:00:00Z","ends_at":"2030-01-01T00:00:00Z",
        "limits":{"total_redemptions":100000000},"hot":'"$HOT"'}' >/dev/null
  else
    load_offers
  fi
  for url in "${urls[@]}"; do
    for _ in $(seq 1 100); do
      listed=$(curl -sf "$url/v1/offers?limit=1000" -H "Authorization: Bearer $ADMIN_KEY" |
        python3 -c 'import json, sys; print(len(json.load(sys.stdin)["items"]))' 2>/dev/null || echo 0)
      [ "$listed" -ge "$expected" ] && break
      sleep 0.1
    done
  done
  for p in "${primaries[@]}"; do redis-cli -p "$p" config resetstat >/dev/null; done
  declare -A ticks_before=()
  for p in "${primaries[@]}"; do ticks_before[$p]=$(proc_ticks "$(node_pid "$p")"); done
  start=$(date +%s%N)
  wrk_pids=()
  for i in "${!urls[@]}"; do
    SHOPS=$SHOPS TAG="s$shards-$i" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency \
      -s bench/wrk/redeem.lua "${urls[i]}" >"$work/wrk-$shards-$i.txt" &
    wrk_pids+=("$!")
    pids+=("$!")
  done
  for p in "${wrk_pids[@]}"; do wait "$p"; done
  wall=$(awk -v n="$(($(date +%s%N) - start))" 'BEGIN {printf "%.2f", n / 1e9}')
  created=0 worst_p99=0
  for i in "${!urls[@]}"; do
    read -r requests non2xx _ _ p99 < <(wrk_figures "$(cat "$work/wrk-$shards-$i.txt")")
    created=$((created + requests - non2xx))
    worst_p99=$(awk -v a="$worst_p99" -v b="$(to_ms "$p99")" 'BEGIN {print (b > a ? b : a)}')
  done
  rps=$(awk -v c="$created" -v w="$wall" 'BEGIN {printf "%.0f", c / w}')
  calls_total=0 usec_total=0 usecs=() cpus=()
  for p in "${primaries[@]}"; do
    calls=$(fcall_stat "$p" calls)
    usec=$(fcall_stat "$p" usec)
    cpu=$(awk -v t="$(($(proc_ticks "$(node_pid "$p")") - ticks_before[$p]))" -v hz="$hz" -v w="$wall" \
      'BEGIN {printf "%.0f", 100 * t / hz / w}')
    calls_total=$((calls_total + calls))
    usec_total=$((usec_total + usec))
    usecs+=("$usec")
    cpus+=("$cpu")
    figure "$shards data shard(s)$label: primary :$p FCALL calls, usec, CPU" \
      "$calls, $usec, ${cpu} % of a core" ""
  done
  if [ -n "${DUMP_STATS:-}" ]; then
    for p in "${primaries[@]}"; do
      echo "primary :$p, busiest commands:"
      redis-cli -p "$p" info commandstats | tr -d '\r' | sort -t= -k3 -n -r | head -12
    done
  fi
  max_over_mean() { awk '{s += $1; if ($1 > m) m = $1; n++} END {printf "%.2f", (s > 0 ? m / (s / n) : 0)}'; }
  spread=$(printf '%s\n' "${usecs[@]}" | max_over_mean)
  cpu_spread=$(printf '%s\n' "${cpus[@]}" | max_over_mean)
  goal=""
  [ "$shards" -ne 3 ] || goal=$(verdict "$spread" "<=" 1.25)
  figure "$shards data shard(s)$label: FCALL usec max / mean over the primaries" "$spread" "$goal"
  figure "$shards data shard(s)$label: process CPU max / mean over the primaries" "$cpu_spread" ""
  figure "$shards data shard(s)$label: created redemptions/s, worst p99" "$rps/s, ${worst_p99} ms" ""
  figure "$shards data shard(s)$label: FCALL calls, usec per created redemption (cluster)" \
    "$(awk -v c="$calls_total" -v u="$usec_total" -v n="$created" 'BEGIN {printf "%.2f, %.1f", c / n, u / n}')" ""
  for p in "${gw[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
done

echo
echo "=== summary ==="
printf '%s\n' "${summary[@]}"
