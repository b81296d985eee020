#!/usr/bin/env bash
# Soak: a steady mixed load against a real `uudai serve` for DURATION, then reconciliation.
#   1. starts uudai (embedded store, fresh journal; or --redis / STORE=redis: a private
#      redis-server with AOF, appendfsync always) with a short --reservation-ttl;
#   2. registers OFFERS unlimited merchant offers (bench/wrk/load_offers.lua) and the soak's
#      limited offers: platform, payment, shipping and merchant offers with total_redemptions,
#      total_budget, per_shopper and per_day limits, one behind the public code SOAKCODE;
#   3. runs bench/wrk/mixed.lua (quotes, redemptions created committed or reserved then
#      committed / cancelled / left to expire, refunds, stats reads) at RATE requests/s
#      (open-loop pacing, bench/wrk/pacing.lua) as consecutive wrk runs of INTERVAL each, and
#      prints per interval: requests/s, p50, p99, redemptions created, 409s, the ledger's size
#      (redemptions answered 201 so far) and the gateway's resident set (VmRSS); then the
#      server-side p99 of each route per interval (bench/route_p99.py on /metrics);
#   4. prints the RSS growth from the end of warm-up (WARMUP_INTERVALS) to the end and the
#      growth per redemption the store took on in each half of that time (the store holds its
#      data in memory: with redemptions in the mix, RSS grows with the ledger by design;
#      REDEEM_PCT=0 runs quotes and stats reads alone);
#   5. waits for the reservation TTL, then bench/reconcile.py compares the ledger
#      (GET /v1/redemptions/export) with every offer's stats, the campaign totals, the offers'
#      limits and the 201s the load saw;
#   6. stops the gateway (SIGTERM), starts a fresh one on the same journal or Redis, and
#      compares the soaked gateway's resident set with the fresh one's, which holds the same
#      data and served no load (goal < 5 %: memory beyond the data); reconciles it again.
#   Exits 1 when a reconciliation fails, the soaked gateway does not exit 0 or the memory
#   beyond the data is 5 % or more.
# Usage: bench/run-soak.sh [--redis]   (env: DURATION=10m, INTERVAL=30s, RATE=500,
#        CONNECTIONS=8, OFFERS=1000, SHOPPERS=2000, RESERVATION_TTL=5, WARMUP_INTERVALS=2,
#        SERVER_THREADS=1, STORE=embedded|redis, QUOTE_PCT=55, REDEEM_PCT=35 (stats reads the
#        rest), BUILD_DIR). Needs a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

STORE=${STORE:-embedded}
[ "${1:-}" = --redis ] && STORE=redis
DURATION=${DURATION:-10m}
INTERVAL=${INTERVAL:-30s}
RATE=${RATE:-500}
CONNECTIONS=${CONNECTIONS:-8}
OFFERS=${OFFERS:-1000}
SHOPPERS=${SHOPPERS:-2000}
RESERVATION_TTL=${RESERVATION_TTL:-5}
WARMUP_INTERVALS=${WARMUP_INTERVALS:-2}
SERVER_THREADS=${SERVER_THREADS:-1}
BUILD_DIR=${BUILD_DIR:-build/release}
UUDAI="$BUILD_DIR/gateway/uudai"
export RATE CONNECTIONS SHOPPERS
[ -x "$UUDAI" ] || { echo "no $UUDAI: build the release preset first" >&2; exit 1; }
tools="wrk curl python3"
[ "$STORE" = redis ] && tools="$tools redis-server redis-cli"
for tool in $tools; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: deploy/install-deps.sh" >&2; exit 1; }
done
case "$STORE" in embedded | redis) ;; *) echo "STORE must be embedded or redis" >&2; exit 2 ;; esac

duration_s=$(duration_seconds "$DURATION")
interval_s=$(duration_seconds "$INTERVAL")
intervals=$((duration_s / interval_s > 0 ? duration_s / interval_s : 1))

work=$(mktemp -d)
server_pid=""
REDIS_PORT=""
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; then wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$REDIS_PORT" ]; then
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 ||
      { [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null; } || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

write_bench_keys "$work"
PORT=$(free_port 18400)
URL="http://127.0.0.1:$PORT"
serve_args=(--keys "$work/keys.json" --reservation-ttl "$RESERVATION_TTL")
if [ "$STORE" = redis ]; then
  REDIS_PORT=$(free_port 16400)
  start_redis "$work"
  serve_args+=(--redis "redis://127.0.0.1:$REDIS_PORT" --redis-prefix 'uudai:{soak}:')
else
  serve_args+=(--data-dir "$work/data")
fi
start_uudai "${serve_args[@]}"
load_offers

# The limited offers (their ids go to $work/offers.txt, read by mixed.lua for stats reads).
starts=$(date -u -d '1 day ago' +%Y-%m-%dT%H:%M:%SZ)
ends=$(date -u -d '30 days' +%Y-%m-%dT%H:%M:%SZ)
add_offer() {
  local body="{\"starts_at\":\"$starts\",\"ends_at\":\"$ends\",$1}" response
  response=$(curl -s -X POST "$URL/v1/offers" -H "Authorization: Bearer $ADMIN_KEY" \
    -H 'Content-Type: application/json' -d "$body")
  local id
  id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$response") ||
    { echo "offer refused: $body -> $response" >&2; exit 1; }
  echo "$id" >>"$work/offers.txt"
}
platform='"merchant_id":"platform","layer":"platform"'
add_offer "$platform,\"name\":\"Soak quota\",\"discount\":{\"type\":\"fixed\",\"value\":20000},
  \"limits\":{\"total_redemptions\":2000}"
add_offer "$platform,\"name\":\"Soak per shopper\",\"discount\":{\"type\":\"fixed\",\"value\":15000},
  \"limits\":{\"per_shopper\":2}"
add_offer "$platform,\"name\":\"Soak fallback\",\"discount\":{\"type\":\"fixed\",\"value\":5000}"
add_offer "$platform,\"name\":\"Soak code\",\"code_mode\":\"public\",\"code\":\"SOAKCODE\",
  \"discount\":{\"type\":\"fixed\",\"value\":25000},\"limits\":{\"total_redemptions\":1000,\"per_shopper\":1}"
add_offer '"merchant_id":"platform","layer":"payment","name":"Soak wallet budget",
  "discount":{"type":"percent","value":10,"max_amount":30000},"payment_methods":["momo","zalopay"],
  "funded_by":"payment_partner","funder":"momo","limits":{"total_budget":20000000}'
add_offer '"merchant_id":"platform","layer":"payment","name":"Soak digital",
  "discount":{"type":"fixed","value":10000},"payment_methods":["digital"],
  "limits":{"total_redemptions":5000,"per_shopper":3}'
add_offer '"merchant_id":"platform","layer":"payment","name":"Soak daily",
  "discount":{"type":"fixed","value":12000},"payment_methods":["vietqr","card","bank_transfer"],
  "limits":{"per_day":1500}'
add_offer '"merchant_id":"platform","layer":"shipping","name":"Soak shipping budget",
  "discount":{"type":"free_shipping","max_amount":30000},"limits":{"total_budget":30000000}'
# Shops 0 and 1: a quota that refunds do not give back; shops 2 to 4: a budget of 140 discounts.
for shop in 0 1 2 3 4; do
  limits='"total_redemptions":150,"per_shopper":1' restore=false
  [ "$shop" -ge 2 ] && limits='"total_budget":14000000,"per_shopper":1' restore=true
  add_offer "\"merchant_id\":\"shop-$shop\",\"name\":\"Soak shop $shop\",
    \"discount\":{\"type\":\"fixed\",\"value\":100000},\"restore_on_refund\":$restore,
    \"limits\":{$limits}"
done
export SOAK_OFFERS="$work/offers.txt" SOAK_ACKED="$work/acknowledged.txt"

# The ledger's size, as the redemptions answered 201 so far (asking the server would cost a
# GET /v1/stats/campaign, whose time grows with the ledger: it would perturb the run).
: >"$SOAK_ACKED"
ledger_size() { wc -l <"$SOAK_ACKED"; }
store_rss() {
  if [ "$STORE" = redis ]; then
    redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory_rss:/ {printf "%.1f", $2 / 1048576}'
  else
    echo "-"
  fi
}

echo
echo "uudai $("$UUDAI" version | cut -d' ' -f2) | store $STORE | offers $OFFERS + $(wc -l <"$work/offers.txt") limited | shoppers $SHOPPERS | server threads $SERVER_THREADS | reservation TTL ${RESERVATION_TTL}s | wrk -t1 -c$CONNECTIONS paced at $RATE req/s | ${intervals} x ${interval_s}s | $(nproc) cores"
printf '%-4s %6s %9s %9s %9s %8s %8s %7s %9s %9s %9s\n' interval end_s 'req/s' p50 p99 created 409s errors ledger 'rss_MiB' 'redis_MiB'
unanswered=0
rss_start=$(rss_kib "$server_pid")
ledger_start=$(ledger_size)
rss_warm=$rss_start
ledger_warm=$ledger_start
rss_mid=$rss_start
ledger_mid=$ledger_start
declare -A totals=()
# The gateway's latency histogram before and after each interval: its p99 by route (quote,
# create, commit, cancel, campaign stats, offer stats).
routes=(/v1/checkout/quote /v1/redemptions '/v1/redemptions/{id}/commit'
  '/v1/redemptions/{id}/cancel' /v1/stats/campaign '/v1/stats/offers/{id}')
curl -sf "$URL/metrics" >"$work/metrics.0"
route_rows=()
for i in $(seq 1 "$intervals"); do
  out=$(RUN_TAG="$$-$i" wrk -t1 -c"$CONNECTIONS" -d"${interval_s}s" --timeout 5s --latency \
    -s bench/wrk/mixed.lua "$URL")
  kill -0 "$server_pid" 2>/dev/null || { echo "uudai died during interval $i" >&2; exit 1; }
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  # "Socket errors: connect 0, read 0, write 0, timeout 0": requests that may have gone unanswered.
  errors=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' <<<"$out")
  errors=${errors:-0}
  counts=$(grep '^soak-counts' <<<"$out" | cut -d' ' -f2-)
  created=0
  refused=0
  for kv in $counts; do
    totals[${kv%%=*}]=$((${totals[${kv%%=*}]:-0} + ${kv#*=}))
    case "$kv" in
      create_201_*) created=$((created + ${kv#*=})) ;;
      409_*) refused=$((refused + ${kv#*=})) ;;
    esac
  done
  # Unanswered: socket errors, and the requests in flight when wrk stopped (wrk drops them).
  unanswered=$((unanswered + errors + CONNECTIONS))
  rss=$(rss_kib "$server_pid")
  ledger=$(ledger_size)
  curl -sf "$URL/metrics" >"$work/metrics.$i"
  route_rows+=("$(python3 bench/route_p99.py "$work/metrics.$((i - 1))" "$work/metrics.$i" "${routes[@]}")")
  if [ "$i" -eq "$WARMUP_INTERVALS" ]; then
    rss_warm=$rss
    ledger_warm=$ledger
  fi
  if [ "$i" -eq $(((intervals + WARMUP_INTERVALS) / 2)) ]; then
    rss_mid=$rss
    ledger_mid=$ledger
  fi
  printf '%-8s %6s %9s %9s %9s %8s %8s %7s %9s %9.1f %9s\n' "$i" "$((i * interval_s))" "$rps" \
    "$p50" "$p99" "$created" "$refused" "$errors" "$ledger" "$(awk -v k="$rss" 'BEGIN {print k / 1024}')" \
    "$(store_rss)"
done

echo "p99 by route per interval, ms (upper bound of the gateway's histogram bucket; server side):"
printf '%-8s %8s %8s %8s %8s %8s %8s\n' interval quote create commit cancel campaign offer
for i in $(seq 1 "$intervals"); do
  printf '%-8s' "$i"
  for kv in ${route_rows[$((i - 1))]}; do printf ' %8s' "${kv##*=}"; done
  echo
done
echo "responses by outcome over the run:"
for outcome in $(printf '%s\n' "${!totals[@]}" | sort); do printf '  %-32s %9d\n' "$outcome" "${totals[$outcome]}"; done
echo "gateway RSS: $((rss_start / 1024)) MiB after loading offers, $((rss_warm / 1024)) MiB after warm-up (${WARMUP_INTERVALS} intervals), $((rss / 1024)) MiB at the end"
if [ "$intervals" -gt "$WARMUP_INTERVALS" ]; then
  # The store keeps every redemption (and its idempotency record, 24 h) in memory, so RSS
  # follows the ledger: the bytes per redemption added, in each half of the run after
  # warm-up, tell data (a steady figure) from a leak in the request path (see REDEEM_PCT=0).
  awk -v w="$rss_warm" -v m="$rss_mid" -v e="$rss" -v lw="$ledger_warm" -v lm="$ledger_mid" \
    -v le="$ledger" 'BEGIN {
    printf "RSS growth after warm-up: %.1f %% (the data: see step 6) while the ledger grew from %d to %d redemptions\n", (e - w) * 100 / w, lw, le
    if (lm > lw && le > lm)
      printf "RSS per redemption added after warm-up: %.0f bytes in the first half, %.0f in the second\n", (m - w) * 1024 / (lm - lw), (e - m) * 1024 / (le - lm) }'
else
  echo "RSS growth after warm-up: n/a (no interval after the ${WARMUP_INTERVALS} warm-up intervals)"
fi

echo "waiting $((RESERVATION_TTL + 2)) s for the last reservations to expire, then reconciling..."
sleep $((RESERVATION_TTL + 2))
# The heap in use (malloc's live blocks, from /metrics) in KiB: the data, without the freed
# memory the allocator keeps.
heap_kib() { curl -sf "$URL/metrics" | awk '$1 == "uudai_heap_in_use_bytes" {printf "%d", $2 / 1024}'; }
rss_soaked=$(rss_kib "$server_pid")
heap_soaked=$(heap_kib)
reconcile() {
  python3 bench/reconcile.py --url "$URL" --key "$ANALYST_KEY" --expect-no-reserved \
    --acknowledged "$SOAK_ACKED" --unacknowledged-max "$unanswered"
}
status=0
reconcile || status=1

# Memory beyond the data. The store holds its data in memory by design (README, "Memory is
# sized by the data"), so the soak's memory goal is checked against a gateway that holds the
# same data and has served no load: stop the soaked gateway (SIGTERM: it drains and exits 0),
# start a fresh one on the same journal or Redis, give it 5 s of quotes and stats reads (no
# redemptions: its first requests allocate what any serving gateway holds), and compare the
# two resident sets. What the soaked one holds beyond the fresh one is what hours of traffic
# left behind: leaks, caches that only grow, fragmentation. The restarted gateway is
# reconciled too: every 201 survived the restart.
if [ -n "${UUDAI_WRAPPER:-}" ]; then
  # The pid is the tool's, which may not pass SIGTERM on, and the RSS is the tool's too.
  echo "memory beyond the data: not measured under UUDAI_WRAPPER"
  exit "$status"
fi
echo "restarting the gateway on the same data to compare memory..."
kill -TERM "$server_pid"
wait "$server_pid" || { echo "the soaked gateway did not exit 0 on SIGTERM" >&2; status=1; }
server_pid=""
start_uudai "${serve_args[@]}"
QUOTE_PCT=90 REDEEM_PCT=0 RUN_TAG="$$-fresh" wrk -t1 -c"$CONNECTIONS" -d5s --timeout 5s \
  -s bench/wrk/mixed.lua "$URL" >/dev/null
rss_fresh=$(rss_kib "$server_pid")
heap_fresh=$(heap_kib)
awk -v s="${heap_soaked:-0}" -v f="${heap_fresh:-0}" 'BEGIN {
  if (f > 0) printf "heap in use: %.1f MiB after the soak, %.1f MiB in a fresh gateway holding the same data: %+.1f %%\n",
    s / 1024, f / 1024, (s - f) * 100 / f }'
awk -v s="$rss_soaked" -v f="$rss_fresh" 'BEGIN {
  growth = (s - f) * 100 / f
  printf "RSS beyond the data: %.1f MiB after the soak, %.1f MiB in a fresh gateway holding the same data: %+.1f %% (goal < 5 %%): %s\n",
    s / 1024, f / 1024, growth, growth < 5 ? "PASS" : "FAIL"
  exit growth < 5 ? 0 : 1 }' || status=1
echo "reconciling the restarted gateway..."
reconcile || status=1
exit "$status"
