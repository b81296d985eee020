#!/usr/bin/env bash
# The catalog at national scale, measured through the API (bench/catalog_bench.py does the
# HTTP work; wrk the quote load), one run:
#   1. embedded store (journal, fsync on every write): 1,000 offers registered, then WRITES
#      offer writes one after the other (create, patch, pause, archive in turn) → p50, p99;
#   2. BATCH_OFFERS (100,000) more registered through POST /v1/offers/batch, 10,000 a batch
#      (goal ≤ 30 s);
#   3. quotes at that size: wrk -t1 -c$CONNECTIONS -d$DURATION, alone and then with 100 offer
#      writes a second beside it → the p99s and their ratio (goal ≤ 1.2);
#   4. LARGE_OFFERS (1,000,000) offers in all, by batches → the gateway's RSS a live offer;
#      WRITES offer writes again → p99 (goal ≤ 2 ms and ≤ 1.5 × the figure of step 1);
#   5. the gateway restarted on that journal → start-up time (goal ≤ 10 s);
#   6. Redis (AOF, appendfsync everysec), two gateways: BATCH_OFFERS registered by batches on
#      the first while it creates one offer with its own public code every 100 ms; after each
#      answer the second gateway is quoted with that code (a batch's: its last offer's) until
#      it applies it → registration seconds (goal ≤ 30 s) and the lag (goal ≤ 0.5 s);
#   7. a summary of every goal, met or short.
# Usage: bench/run-catalog-bench.sh   Needs a release build (BUILD_DIR, default build/release).
# Env: WRITES (2000), BATCH_OFFERS (100000), LARGE_OFFERS (1000000), DURATION (10s),
#      CONNECTIONS (16), SERVER_THREADS (2).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

WRITES=${WRITES:-2000}
BATCH_OFFERS=${BATCH_OFFERS:-100000}
LARGE_OFFERS=${LARGE_OFFERS:-1000000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
SERVER_THREADS=${SERVER_THREADS:-2}
BUILD_DIR=${BUILD_DIR:-build/release}
UUDAI="$BUILD_DIR/gateway/uudai"
[ -x "$UUDAI" ] || { echo "no $UUDAI: build the release preset first" >&2; exit 1; }
for tool in wrk redis-server redis-cli curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (deploy/install-deps.sh)" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
REDIS_PORT=""
cleanup() {
  # Every gateway this script started, also one that never became ready (not yet in pids).
  for pid in "${pids[@]}" ${server_pid:-} $(jobs -p); do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -z "$REDIS_PORT" ] || redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
write_bench_keys "$work"
bench() { python3 bench/catalog_bench.py "$@"; }
summary=()
goal() { summary+=("$(printf '%-58s %-26s %s' "$1" "$2" "$3")"); }
up() {  # up [serve args]: uudai on a free port (PORT, URL, server_pid)
  PORT=$(free_port 18400)
  URL="http://127.0.0.1:$PORT"
  start_uudai --keys "$work/keys.json" "$@"
  pids+=("$server_pid")
}
down() { if kill "$1" 2>/dev/null; then wait "$1" 2>/dev/null || true; fi; }
quotes() {  # quotes URL: "p50 p99" (ms) of a wrk quote run
  local out
  out=$(SHOPS=$SHOPS wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/wrk/quote.lua "$1")
  read -r _ _ _ p50 p99 < <(wrk_figures "$out")
  echo "$(to_ms "$p50") $(to_ms "$p99") $(awk '/Requests\/sec/ {print $2}' <<<"$out")"
}

echo "uudai $("$UUDAI" version | cut -d' ' -f2) | server threads $SERVER_THREADS | $(nproc) cores"
echo
echo "=== 1. embedded store, 1,000 offers ==="
up --data-dir "$work/journal"
bench register "$URL" --offers 1000 --shops 100 >/dev/null
small=$(bench writes "$URL" --count "$WRITES")
echo "offer writes at 1,000 offers: $small"
small_p99=$(field p99_ms "$small")

echo
echo "=== 2. $BATCH_OFFERS offers registered by batches of 10,000 ==="
registered=$(bench register "$URL" --offers "$BATCH_OFFERS" --first 1000 --shops 10000 --ndjson)
echo "embedded: $registered"
goal "embedded: $BATCH_OFFERS offers by batches (<= 30 s)" "$(field seconds "$registered") s" \
  "$(verdict "$(field seconds "$registered")" "<=" 30)"

echo
echo "=== 3. quotes at $((BATCH_OFFERS + 1000)) offers, alone and beside 100 offer writes/s ==="
SHOPS=10000
read -r alone_p50 alone_p99 alone_rps < <(quotes "$URL")
echo "quotes alone: p50 $alone_p50 ms, p99 $alone_p99 ms, $alone_rps/s"
bench paced-writes "$URL" --rate 100 --seconds "$(( $(duration_seconds "$DURATION") + 2 ))" \
  >"$work/paced.txt" &
paced=$!
sleep 1
read -r busy_p50 busy_p99 busy_rps < <(quotes "$URL")
wait "$paced"
echo "quotes beside offer writes ($(cat "$work/paced.txt")): p50 $busy_p50 ms, p99 $busy_p99 ms, $busy_rps/s"
ratio=$(awk -v a="$busy_p99" -v b="$alone_p99" 'BEGIN { printf "%.2f", a / b }')
goal "quote p99 beside 100 writes/s / alone (<= 1.2)" "$ratio ($busy_p99 / $alone_p99 ms)" \
  "$(verdict "$ratio" "<=" 1.2)"

echo
echo "=== 4. $LARGE_OFFERS offers ==="
rss_before=$(rss_kib "$server_pid")
left=$((LARGE_OFFERS - BATCH_OFFERS - 1000))
more=$(bench register "$URL" --offers "$left" --first $((BATCH_OFFERS + 1000)) --shops 100000 --ndjson)
echo "embedded, $left more: $more"
rss_after=$(rss_kib "$server_pid")
per_offer=$(awk -v a="$rss_after" -v b="$rss_before" -v n="$left" 'BEGIN { printf "%.0f", (a - b) * 1024 / n }')
echo "gateway RSS $((rss_before / 1024)) → $((rss_after / 1024)) MiB: $per_offer B a live offer"
goal "gateway memory a live offer (RSS)" "$per_offer B" "reported"
# The registration left hundreds of MB of journal for the kernel to write back; until it has,
# every fsync waits behind it. Measured once it has (sync), as steady writes would find it.
began=$(date +%s%N)
sync
echo "sync after the registration: $(( ($(date +%s%N) - began) / 1000000 )) ms"
large=$(bench writes "$URL" --count "$WRITES")
echo "offer writes at $LARGE_OFFERS offers: $large"
large_p99=$(field p99_ms "$large")
goal "offer write p99 at $LARGE_OFFERS offers (<= 2 ms)" "$large_p99 ms" \
  "$(verdict "$large_p99" "<=" 2)"
write_ratio=$(awk -v a="$large_p99" -v b="$small_p99" 'BEGIN { printf "%.2f", a / b }')
goal "offer write p99, $LARGE_OFFERS / 1,000 offers (<= 1.5)" "$write_ratio ($large_p99 / $small_p99 ms)" \
  "$(verdict "$write_ratio" "<=" 1.5)"

echo
echo "=== 5. start-up on the journal of $LARGE_OFFERS offers ==="
down "$server_pid"
began=$(date +%s%N)
PORT=$(free_port 18400)
URL="http://127.0.0.1:$PORT"
"$UUDAI" serve --listen "127.0.0.1:$PORT" --threads "$SERVER_THREADS" --log-level warn \
  --keys "$work/keys.json" --data-dir "$work/journal" &
server_pid=$!
pids+=("$server_pid")
until curl -sf "$URL/readyz" >/dev/null 2>&1; do
  kill -0 "$server_pid" 2>/dev/null || { echo "uudai stopped while starting" >&2; exit 1; }
  sleep 0.05
done
startup=$(awk -v a="$(date +%s%N)" -v b="$began" 'BEGIN { printf "%.2f", (a - b) / 1e9 }')
echo "ready after $startup s (RSS $(( $(rss_kib "$server_pid") / 1024 )) MiB)"
goal "start-up with $LARGE_OFFERS offers (<= 10 s)" "$startup s" "$(verdict "$startup" "<=" 10)"
down "$server_pid"
rm -rf "$work/journal"

echo
echo "=== 6. Redis (appendfsync everysec), two gateways ==="
REDIS_PORT=$(free_port 16400)
mkdir -p "$work/redis"
APPENDFSYNC=everysec start_redis "$work/redis"
up --redis "redis://127.0.0.1:$REDIS_PORT" --redis-prefix 'uudai:{catalog}:'
url_a=$URL
up --redis "redis://127.0.0.1:$REDIS_PORT" --redis-prefix 'uudai:{catalog}:'
url_b=$URL
lag=$(bench propagation "$url_a" "$url_b" --offers "$BATCH_OFFERS")
echo "redis: $lag"
goal "redis: $BATCH_OFFERS offers by batches (<= 30 s)" "$(field register_seconds "$lag") s" \
  "$(verdict "$(field register_seconds "$lag")" "<=" 30)"
worst=$(awk -v a="$(field batch_lag_max_ms "$lag")" -v b="$(field single_lag_max_ms "$lag")" \
  'BEGIN { print (a > b) ? a : b }')
goal "redis: quoted on the other gateway after (<= 500 ms)" "max $worst ms" \
  "$(verdict "$worst" "<=" 500)"
redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' | grep -E 'cmdstat_fcall:' || true

echo
echo "=== summary ==="
printf '%s\n' "${summary[@]}"
