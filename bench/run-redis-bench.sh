#!/usr/bin/env bash
# Redemption bench with the Redis store, all in one run so the figures compare as ratios:
#   1. starts a private redis-server (AOF on, appendfsync $APPENDFSYNC) on a free loopback port;
#   2. starts uudai --redis on it and registers OFFERS offers (default 1,000) over HTTP;
#   3. wrk: POST /v1/redemptions with "commit": true (reserve + commit in one request) for
#      DURATION → redemptions/s, p50, p99;
#   4. INFO commandstats over that run → Redis commands per redemption (EVALSHA must be 1;
#      XREAD, the view's reads of the change log, is reported apart: it is batched, not per
#      redemption);
#   5. redis-benchmark with 50 clients running uudai's own "create" script call (EVALSHA, the
#      arguments a real redemption of step 3 sent: its plan, journal line and idempotency
#      record, with fresh ids and a new shopper each call, as wrk's redemptions have) → the
#      ceiling Redis itself sets; and, for comparison, the cheaper call earlier versions of
#      this script replayed (one shopper for every call, no idempotency record);
#   6. prints the ratio gateway / redis-benchmark (goal ≥ 0.7).
# Usage: bench/run-redis-bench.sh   (env: OFFERS, DURATION, CONNECTIONS, SERVER_THREADS,
#        WRK_THREADS, APPENDFSYNC=always|everysec, BUILD_DIR). Needs a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

OFFERS=${OFFERS:-1000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
SERVER_THREADS=${SERVER_THREADS:-2}
WRK_THREADS=${WRK_THREADS:-1}
APPENDFSYNC=${APPENDFSYNC:-always}
BUILD_DIR=${BUILD_DIR:-build/release}
UUDAI="$BUILD_DIR/gateway/uudai"
[ -x "$UUDAI" ] || { echo "no $UUDAI: build the release preset first" >&2; exit 1; }
for tool in wrk redis-server redis-cli redis-benchmark curl; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: deploy/install-deps.sh" >&2; exit 1; }
done

work=$(mktemp -d)
server_pid=""
REDIS_PORT=$(free_port 16400)
cleanup() {
  if [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; then wait "$server_pid" 2>/dev/null || true; fi
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# No automatic AOF rewrite: one is a fork that writes the whole data set to disk for 1–4 s
# while it runs, and whichever half of the comparison it fell in lost a core and the disk to
# it (redis-benchmark measured anywhere from 6.7 k/s to 14 k/s before). Both halves now run
# under the same conditions; a production Redis rewrites now and then (deploy/redis.conf).
start_redis "$work" --auto-aof-rewrite-percentage 0
rcli() { redis-cli -p "$REDIS_PORT" "$@"; }

write_bench_keys "$work"
PREFIX='uudai:{bench}:'
PORT=$(free_port 18400)
URL="http://127.0.0.1:$PORT"
start_uudai --keys "$work/keys.json" --redis "redis://127.0.0.1:$REDIS_PORT" \
  --redis-prefix "$PREFIX"
load_offers

# Redis bytes per issued unique code: 100,000 codes for one offer, used_memory before/after.
used_memory() { rcli info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r'; }
CODES=${CODES:-100000}
unique_offer=$(curl -sf -X POST "$URL/v1/offers" -H "Authorization: Bearer $ADMIN_KEY" \
  -H 'Content-Type: application/json' -d '{"merchant_id":"shop-codes","name":"Codes bench",
  "discount":{"type":"fixed","value":10000},"code_mode":"unique",
  "starts_at":"2020-01-01T00:00:00+07:00","ends_at":"2100-01-01T00:00:00+07:00"}' |
  sed -E 's/.*"id":"([^"]+)".*/\1/')
before=$(used_memory)
codes_start=$(date +%s%N)
curl -sf -o /dev/null -X POST "$URL/v1/offers/$unique_offer/codes" -H "Authorization: Bearer $ADMIN_KEY" \
  -H 'Content-Type: application/json' -d "{\"count\":$CODES}"
codes_ms=$((($(date +%s%N) - codes_start) / 1000000))
after=$(used_memory)
CODE_LINE=$(awk -v b="$before" -v a="$after" -v n="$CODES" -v ms="$codes_ms" 'BEGIN {
  printf "issuing %d unique codes: %d ms | Redis bytes per issued code: %.0f (code hash + change log)", n, ms, (a - b) / n }')

# Redis's own counters of what it executed, by command.
calls() { rcli info commandstats | awk -F'[:=,]' -v c="cmdstat_$1" '$1 == c {print $3}'; }

echo
echo "uudai $("$UUDAI" version | cut -d' ' -f2) + redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) | appendfsync $APPENDFSYNC | offers $OFFERS | server threads $SERVER_THREADS | wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION | $(nproc) cores"
echo "$CODE_LINE"
rcli config resetstat >/dev/null
out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/wrk/redeem.lua "$URL")
requests=$(awk '/requests in/ {print $1}' <<<"$out")
non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
non2xx=${non2xx:-0}
seconds=$(awk '/requests in/ {gsub(/s,?/, "", $4); print $4}' <<<"$out")
p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
redeemed=$((requests - non2xx))
evalsha=$(calls evalsha)
xread=$(calls xread)
gateway_rps=$(awk -v r="$redeemed" -v s="$seconds" 'BEGIN { printf "%.0f", r / s }')
printf 'gateway redemptions (201): %s in %ss = %s/s | p50 %s p99 %s | refused (409, nothing applicable): %s\n' \
  "$redeemed" "$seconds" "$gateway_rps" "$p50" "$p99" "$non2xx"
# (commandstats also counts the commands a script runs inside Redis: those are not round trips.)
awk -v e="${evalsha:-0}" -v x="${xread:-0}" -v r="$redeemed" 'BEGIN {
  printf "redis round trips per redemption: EVALSHA %.3f | XREAD %.3f (change-log reads, batched)\n",
    e / r, x / r }'

# One real create call, replayed by redis-benchmark with fresh ids: the plan, the journal line
# and the idempotency record (scope, fingerprint, response) of a redemption the gateway made.
record=$( (rcli --scan --pattern "${PREFIX}r:*" || true) | head -1)
plan=$(rcli hget "$record" p)
line=$(rcli hget "$record" b)
idem=$( (rcli --scan --pattern "${PREFIX}idem:*" || true) | head -1)
fingerprint=$(rcli hget "$idem" f)
response=$(rcli hget "$idem" r)
shopper=$(sed -E 's/^\{"s":"([^"]+)".*/\1/' <<<"$plan")
sha=$(rcli script load "$(cat gateway/src/store/redis/redis_store.lua)")
now=$(($(date +%s) * 1000))
# The call's created_at (now), its local minute of day (UTC+07:00), the order amount (the
# items subtotal of the real redemption; no shipping fee) and the refusal fence period.
minute=$(((now / 60000 + 420) % 1440))
amount=$(sed -E 's/.*"sub":([0-9]+).*/\1/' <<<"$line")
# rb_create PLAN LINE SCOPE: redis-benchmark, 50 clients, 200,000 create calls → requests/s.
# __rand_int__ is replaced by a fresh random number in every argument of every call.
rb_create() {
  redis-benchmark -p "$REDIS_PORT" -c 50 -n 200000 -r 1000000000 -q \
    EVALSHA "$sha" 1 "${PREFIX}log" create "$now" 86400000 "rb-__rand_int__" \
    "rb-m$(printf '\037')__rand_int__" committed "$((now + 900000))" "$1" "$2" "$3" \
    "$fingerprint" "$response" "$now" "$minute" "$amount" 60000 |
    tr '\r' '\n' | awk '/requests per second/ {for (i = 2; i <= NF; i++) if ($i == "requests") print $(i - 1)}' | tail -1
}
# One call first, to be sure the replayed call is counted (a refusal costs Redis far less than
# a create, and would make the ceiling look higher than it is).
probe=$(rcli evalsha "$sha" 1 "${PREFIX}log" create "$now" 86400000 "rb-probe" \
  "rb-m$(printf '\037')probe" committed "$((now + 900000))" "${plan//"$shopper"/s-probe}" \
  "${line//"$shopper"/s-probe}" "rb-idem-probe" "$fingerprint" "$response" "$now" "$minute" \
  "$amount" 60000 | head -1)
if [ "$probe" != "ok" ]; then
  echo "the replayed create call was refused ($probe): the bench's call no longer matches the script" >&2
  exit 1
fi
# As the gateway calls it: every call a new shopper (so `ou:<offer>` gains a shopper field, as
# each wrk redemption's new shopper does) and an idempotency record (HSET + PEXPIRE).
rb=$(rb_create "${plan//"$shopper"/s-__rand_int__}" "${line//"$shopper"/s-__rand_int__}" \
  "rb-idem-__rand_int__")
# The cheaper call earlier runs of this script measured: always the same shopper, no
# idempotency record. Printed for comparison only.
rb_cheap=$(rb_create "$plan" "$line" "")
echo "redis-benchmark, 50 clients, uudai's create script as the gateway calls it: $rb/s"
echo "  (same shopper every call, no idempotency record, as measured before 2026-11-28 12:30: $rb_cheap/s)"
awk -v g="$gateway_rps" -v b="$rb" 'BEGIN { printf "ratio gateway/redis-benchmark: %.2f (goal >= 0.7)\n", g / b }'
echo "redis used_memory: $(rcli info memory | awk -F: '/^used_memory_human/ {print $2}' | tr -d '\r')"
