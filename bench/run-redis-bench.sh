#!/usr/bin/env bash
# uudai's Redis redemption path, measured in one run against the hand-written nginx + Lua +
# Redis endpoint (PEER_DIR) on the same machine, so the figures compare as ratios:
#   1. for each Redis persistence mode (no AOF: `--appendonly no --save ''`; AOF with
#      `appendfsync always`), a fresh private redis-server on a free loopback port:
#      a. uudai --redis with OFFERS offers, wrk POST /v1/redemptions ("commit": true) for
#         DURATION → created redemptions/s, p50, p99;
#      b. Redis CPU per created redemption (INFO commandstats: the usec of the script
#         commands, EVALSHA / FCALL, over the redemptions; goal ≤ 15 µs) and the top-level
#         commands per redemption;
#      c. the same wrk load (-t/-c/-d) on the endpoint in PEER_DIR on the same Redis (emptied)
#         → its 200s per second, p99 and its script's usec_per_call;
#      d. uudai / endpoint throughput (goal ≥ 1.5) and p99 (goal ≤ 1.0).
#      Without AOF also, Redis stopped: the same load on uudai with its embedded store, its
#      journal on tmpfs: the gateway's own ceiling on these cores, beside the endpoint's figure.
#      With AOF also: issuing CODES unique codes (Redis bytes per code) and redis-benchmark
#      replaying one real create call captured with MONITOR (the ceiling Redis sets).
#   2. (no AOF) Redis memory per created redemption over the timed run, with its idempotency
#      record; then, when `uudai serve` has --idempotency-retention, over a second run of
#      DURATION whose records have expired (IDEM_RETENTION seconds, then a full SCAN; goal
#      ≤ 500 B, the event stream counted apart: it keeps the latest --event-retention events,
#      a count, not the campaign's history); each with the bytes by kind of key.
#   3. Round trips per attempt: the commands the gateways send, from MONITOR (commands a
#      script runs inside Redis left out) over MONITOR_ATTEMPTS attempts that win (no AOF) and
#      that are refused (step 4); goal ≤ 1. The view's change-log reads, the expiry
#      sweeper's calls and the webhook dispatcher's polls are counted apart (they are not per
#      attempt).
#   4. Midnight stampede: a fresh Redis (no AOF), two gateways on it, one platform offer with a
#      quota of 1,000; STAMPEDE_ATTEMPTS redemptions from distinct shoppers, half to each
#      gateway at once → exactly 1,000 201s (and the offer's stats), the 409s, the wall time;
#      then REFUSAL_ATTEMPTS more: the refusals' p99 from the gateways' own histogram (goal
#      ≤ 2 ms), and their round trips (MONITOR).
#   5. A summary of every goal: the figure, met or short.
# Usage: bench/run-redis-bench.sh   Needs a release build (BUILD_DIR, default build/release).
# Env: DURATION (10s), CONNECTIONS (64), WRK_THREADS (1), SERVER_THREADS (2), OFFERS (1000),
#      STAMPEDE_ATTEMPTS (100000), REFUSAL_ATTEMPTS (20000), MONITOR_ATTEMPTS (3000),
#      IDEM_RETENTION (5 s), CODES (100000), BUCKETS (4096: --redis-buckets of every store),
#      BENCHMARK_CALLS (100000, redis-benchmark),
#      PEER_DIR (the folder shared/peer beside the checkout; the endpoint's run.sh starts it;
#      it needs nginx with its Lua modules: the Debian packages nginx-light
#      libnginx-mod-http-lua lua-nginx-redis lua-cjson). Without the endpoint or those packages
#      the comparison is skipped, saying why, and uudai is still measured.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-1}
SERVER_THREADS=${SERVER_THREADS:-2}
OFFERS=${OFFERS:-1000}
STAMPEDE_ATTEMPTS=${STAMPEDE_ATTEMPTS:-100000}
REFUSAL_ATTEMPTS=${REFUSAL_ATTEMPTS:-20000}
MONITOR_ATTEMPTS=${MONITOR_ATTEMPTS:-3000}
IDEM_RETENTION=${IDEM_RETENTION:-5}
CODES=${CODES:-100000}
# A run creates 100,000–300,000 redemptions: the bucket count suited to that (README, Redis
# buckets; a new store's default, 65,536, suits millions).
BUCKETS=${BUCKETS:-4096}
BENCHMARK_CALLS=${BENCHMARK_CALLS:-100000}
PEER_DIR=${PEER_DIR:-$PWD/../shared/peer}
PEER_PACKAGES="nginx-light libnginx-mod-http-lua lua-nginx-redis lua-cjson"
BUILD_DIR=${BUILD_DIR:-build/release}
UUDAI="$BUILD_DIR/gateway/uudai"
PREFIX='uudai:{bench}:'
[ -x "$UUDAI" ] || { echo "no $UUDAI: build the release preset first" >&2; exit 1; }
# Read whole first: grep -q would stop reading at its match, and the help's writer could die of
# SIGPIPE under pipefail.
UUDAI_HELP=$("$UUDAI" --help 2>&1 || true)
HAS_BUCKETS=0
if grep -q -- '--redis-buckets' <<<"$UUDAI_HELP"; then HAS_BUCKETS=1; fi
for tool in wrk redis-server redis-cli redis-benchmark curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: deploy/install-deps.sh" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()          # uudai gateways and MONITOR clients
redis_ports=()   # every redis-server started
peer_prefixes=() # every endpoint instance started
shm_dirs=()      # embedded stores' data folders on tmpfs
cleanup() {
  local p
  for p in "${peer_prefixes[@]}"; do
    [ -f "$p/nginx.pid" ] && kill "$(cat "$p/nginx.pid")" 2>/dev/null
    rm -rf "$p"
  done
  for p in "${pids[@]}"; do
    if kill "$p" 2>/dev/null; then wait "$p" 2>/dev/null || true; fi
  done
  for p in "${redis_ports[@]}"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
  for p in "${shm_dirs[@]}"; do rm -rf "$p"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the endpoint to compare with ---------------------------------------------------------
peer_skip=""
if [ ! -f "$PEER_DIR/run.sh" ]; then
  peer_skip="there is no $PEER_DIR/run.sh (set PEER_DIR to the endpoint's folder)"
elif ! command -v nginx >/dev/null; then
  peer_skip="nginx is not installed"
fi
say_peer_skipped() {
  echo "peer comparison SKIPPED: $peer_skip. It needs the hand-written nginx + Lua + Redis endpoint (PEER_DIR) and the packages $PEER_PACKAGES."
}

# --- shared steps --------------------------------------------------------------------------
# redis_up NAME [redis-server args]: a fresh redis-server in $work/NAME on a free port
# (REDIS_PORT); no automatic AOF rewrite (a rewrite forks and writes the whole data set, and
# would take a core and the disk from whichever measurement it fell in).
redis_up() {
  local dir="$work/$1"
  shift
  mkdir -p "$dir"
  REDIS_PORT=$(free_port 16400)
  redis_ports+=("$REDIS_PORT")
  start_redis "$dir" --auto-aof-rewrite-percentage 0 "$@"
  local aof
  aof=$(rcli config get appendonly | tail -1)
  [ "$aof" = no ] || aof="$aof, appendfsync $(rcli config get appendfsync | tail -1)"
  echo "redis-server on port $REDIS_PORT: appendonly $aof, save '$(rcli config get save | tail -1)'"
}
redis_down() { redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; }
rcli() { redis-cli -p "$REDIS_PORT" "$@"; }
used_memory() { rcli info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r'; }
# The bytes and the entries of the store's event stream (`ev`): kept for the latest
# --event-retention events, a count, however many redemptions made them.
events_memory() { rcli memory usage "${PREFIX}ev" samples 0 | tr -d '\r'; }
events_length() { rcli xlen "${PREFIX}ev" | tr -d '\r'; }

# gateway_up [serve args]: uudai on a free port of this Redis (PORT, URL, server_pid), its store
# created with BUCKETS buckets when the build has --redis-buckets.
gateway_up() {
  PORT=$(free_port 18400)
  URL="http://127.0.0.1:$PORT"
  local sized=()
  [ "$HAS_BUCKETS" = 0 ] || sized=(--redis-buckets "$BUCKETS")
  start_uudai --keys "$work/keys.json" --redis "redis://127.0.0.1:$REDIS_PORT" \
    --redis-prefix "$PREFIX" "${sized[@]}" "$@"
  pids+=("$server_pid")
}
gateway_down() { if kill "$1" 2>/dev/null; then wait "$1" 2>/dev/null || true; fi; }

# attempts URL N [TAG]: exactly N redemptions with bench/wrk/redeem.lua (-t1, CONNECTIONS),
# prints its "attempts: sent=N answered=N 201=N 409=N other=N" line.
attempts() {
  local line
  line=$(ATTEMPTS=$2 TAG=${3:-} timeout 300 wrk -t1 -c"${4:-$CONNECTIONS}" -d280s --timeout 10s \
    -s bench/wrk/redeem.lua "$1" | grep '^attempts:' || true)
  [ -n "$line" ] || { echo "wrk did not get an answer to each of $2 redemptions" >&2; return 1; }
  echo "$line"
}

# Goals: goal LABEL FIGURE VERDICT, printed together at the end.
summary=()
goal() { summary+=("$(printf '%-62s %-28s %s' "$1" "$2" "$3")"); }

# monitor_phase LABEL URL N: runs N attempts under `redis-cli MONITOR` and prints the commands
# the gateways sent per attempt (RT_TOTAL: the total per attempt, apart from the change-log
# reads, the readers' heartbeats, expiry sweeps and the webhook dispatcher's polls, which print
# as counts). RT_KINDS: the command names seen.
monitor_phase() {
  local label=$1 url=$2 n=$3 file="$work/monitor-${1// /-}.txt" mon line answered
  redis-cli -p "$REDIS_PORT" monitor >"$file" &  # not rcli: $! must be redis-cli itself
  mon=$!
  pids+=("$mon")
  for _ in $(seq 1 50); do [ -s "$file" ] && break; sleep 0.05; done
  line=$(attempts "$url" "$n" "m${label//[^a-z]/}")
  sleep 0.3  # the last replies' commands
  kill "$mon" 2>/dev/null || true
  wait "$mon" 2>/dev/null || true
  answered=$(field answered "$line")
  python3 bench/monitor_calls.py count "$file" >"$file.kinds"
  RT_KINDS=$(awk '{print $1}' "$file.kinds" | sort -u | tr '\n' ' ')
  RT_TOTAL=$(awk -v n="$answered" '!/^xread|expir|sweep|reader_|webhooks_list|bucket_fill/ {t += $NF} END {printf "%.3f", t / n}' \
    "$file.kinds")
  echo "round trips per attempt, $label ($answered attempts: $(field 201 "$line") answered 201, $(field 409 "$line") 409, $(field other "$line") other; MONITOR):"
  awk -v n="$answered" '!/^xread|expir|sweep|reader_|webhooks_list|bucket_fill/ {c = $NF; $NF = ""; printf "    %-28s %.3f\n", $0, c / n}' \
    "$file.kinds"
  printf '    %-28s %s (goal <= 1: %s)\n' "total per attempt" "$RT_TOTAL" "$(verdict "$RT_TOTAL" "<=" 1)"
  awk '/^xread|expir|sweep|reader_|webhooks_list|bucket_fill/ {c = $NF; $NF = ""; printf "    not per attempt: %-26s %d calls in the phase (the view'"'"'s batched change-log reads, its position reported once a second, the expiry sweeper, the webhook dispatcher'"'"'s poll of the webhooks, the buckets'"'"' fill sampled once a minute)\n", $0, c}' \
    "$file.kinds"
}

# timed_uudai: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION on URL; sets CREATED, RPS, P50,
# P99, SCRIPT_US (Redis script CPU per created redemption), MEM_BEFORE, MEM_AFTER.
timed_uudai() {
  local out stats requests non2xx seconds
  MEM_BEFORE=$(used_memory)
  rcli config resetstat >/dev/null
  out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/wrk/redeem.lua "$URL")
  stats=$(rcli info commandstats | tr -d '\r')
  MEM_AFTER=$(used_memory)
  read -r requests non2xx seconds P50 P99 < <(wrk_figures "$out")
  CREATED=$((requests - non2xx))
  RPS=$(awk -v r="$CREATED" -v s="$seconds" 'BEGIN { printf "%.0f", r / s }')
  SCRIPT_US=$(awk -F'[:=,]' -v n="$CREATED" '$1 ~ /^cmdstat_(evalsha|fcall|evalsha_ro|fcall_ro)$/ {
    u += $5} END {printf "%.1f", u / n}' <<<"$stats")
  printf 'uudai: %s redemptions created (201) in %ss = %s/s | p50 %s p99 %s | refused: %s\n' \
    "$CREATED" "$seconds" "$RPS" "$P50" "$P99" "$non2xx"
  printf 'Redis CPU per created redemption (usec of EVALSHA/FCALL in INFO commandstats): %s µs (goal <= 15: %s)\n' \
    "$SCRIPT_US" "$(verdict "$SCRIPT_US" "<=" 15)"
  # commandstats counts the commands scripts run too: keep the kinds clients sent (MONITOR).
  awk -v n="$CREATED" -v kinds=" ${RT_KINDS:-evalsha fcall xread} " '
    BEGIN {printf "top-level commands per created redemption (INFO commandstats, the kinds MONITOR saw clients send):"}
    /^cmdstat_/ {
      c = substr($0, 9, index($0, ":") - 9)
      match($0, /calls=[0-9]+/)
      if (index(kinds, " " c " ")) printf " %s %.3f", c, substr($0, RSTART + 6, RLENGTH - 6) / n }
    END {print ""}' <<<"$stats"
}

# peer_run: the endpoint on this Redis (emptied first), the same wrk load; sets PEER_RPS,
# PEER_P99, PEER_US (its script's usec_per_call). Returns 1, saying why, if it cannot start.
peer_run() {
  local port prefix out requests non2xx seconds
  rcli flushall >/dev/null
  rcli config resetstat >/dev/null
  port=$(free_port 18600)
  if ! prefix=$("$PEER_DIR/run.sh" "$port" "$REDIS_PORT" 2>"$work/peer.err"); then
    peer_skip="$PEER_DIR/run.sh failed: $(tr '\n' ' ' <"$work/peer.err")"
    say_peer_skipped
    return 1
  fi
  peer_prefixes+=("$prefix")
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  if ! curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; then
    peer_skip="the endpoint did not answer on port $port ($(tail -3 "$prefix/error.log" 2>/dev/null | tr '\n' ' '))"
    say_peer_skipped
    return 1
  fi
  out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/wrk/peer_redeem.lua \
    "http://127.0.0.1:$port")
  PEER_US=$(rcli info commandstats | tr -d '\r' | awk -F'[:=,]' '$1 == "cmdstat_evalsha" {print $7}')
  kill "$(cat "$prefix/nginx.pid")" 2>/dev/null || true
  for _ in $(seq 1 50); do [ -f "$prefix/nginx.pid" ] || break; sleep 0.1; done
  read -r requests non2xx seconds _ PEER_P99 < <(wrk_figures "$out")
  PEER_RPS=$(awk -v r="$((requests - non2xx))" -v s="$seconds" 'BEGIN { printf "%.0f", r / s }')
  printf 'peer (the hand-written nginx + Lua + Redis endpoint): %s answered 200 in %ss = %s/s | p99 %s | refused: %s | its script: %s usec_per_call\n' \
    "$((requests - non2xx))" "$seconds" "$PEER_RPS" "$PEER_P99" "$non2xx" "${PEER_US:-?}"
}

# compare MODE: the ratios of the last timed_uudai and peer_run.
compare() {
  local tput lat
  tput=$(awk -v a="$RPS" -v b="$PEER_RPS" 'BEGIN { printf "%.2f", a / b }')
  lat=$(awk -v a="$(to_ms "$P99")" -v b="$(to_ms "$PEER_P99")" 'BEGIN { printf "%.2f", a / b }')
  printf 'uudai / peer throughput: %s (goal >= 1.5: %s) | uudai p99 / peer p99: %s (goal <= 1.0: %s)\n' \
    "$tput" "$(verdict "$tput" ">=" 1.5)" "$lat" "$(verdict "$lat" "<=" 1.0)"
  goal "$1: uudai / peer throughput (>= 1.5)" "$RPS / $PEER_RPS = $tput" "$(verdict "$tput" ">=" 1.5)"
  goal "$1: uudai p99 / peer p99 (<= 1.0)" "$P99 / $PEER_P99 = $lat" "$(verdict "$lat" "<=" 1.0)"
}

# peer_or_skip MODE: the endpoint's run and the ratios, or the reason there are none.
peer_or_skip() {
  if [ -z "$peer_skip" ] && peer_run; then
    compare "$1"
  else
    echo "peer comparison skipped ($peer_skip)"
    goal "$1: uudai / peer throughput and p99" "skipped: $peer_skip" "n/a"
  fi
}

# embedded_ceiling: the same wrk load on uudai with its embedded store, its journal on tmpfs
# (fdatasync costs nothing there) and no Redis running: what the gateway's own work (HTTP,
# JSON, the quote, the record, the view) allows on these cores when its store costs nothing, a
# reference for the Redis figures, compared with the endpoint's last run.
embedded_ceiling() {
  local data out requests non2xx seconds p99 rps ratio
  data=$(mktemp -d /dev/shm/uudai-redis-bench-XXXXXX)
  shm_dirs+=("$data")
  PORT=$(free_port 18500)
  URL="http://127.0.0.1:$PORT"
  start_uudai --keys "$work/keys.json" --data-dir "$data"
  pids+=("$server_pid")
  load_offers
  out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/wrk/redeem.lua "$URL")
  gateway_down "$server_pid"
  read -r requests non2xx seconds _ p99 < <(wrk_figures "$out")
  rps=$(awk -v r="$((requests - non2xx))" -v s="$seconds" 'BEGIN { printf "%.0f", r / s }')
  if [ -z "$peer_skip" ] && [ -n "${PEER_RPS:-}" ]; then
    ratio=$(awk -v a="$rps" -v b="$PEER_RPS" 'BEGIN { printf "%.2f", a / b }')
    printf 'uudai with its embedded store, journal on tmpfs, no Redis (the gateway alone): %s/s | p99 %s | / the endpoint without AOF: %s\n' \
      "$rps" "$p99" "$ratio"
    goal "the gateway alone (embedded, tmpfs) / peer throughput" "$rps / $PEER_RPS = $ratio" "reported"
  else
    printf 'uudai with its embedded store, journal on tmpfs, no Redis (the gateway alone): %s/s | p99 %s\n' "$rps" "$p99"
    goal "the gateway alone (embedded, tmpfs) throughput" "$rps/s" "reported"
  fi
}

write_bench_keys "$work"
has_retention=""
if grep -q -- '--idempotency-retention' <<<"$UUDAI_HELP"; then
  has_retention=yes
fi
echo "uudai $("$UUDAI" version | cut -d' ' -f2) + redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) | offers $OFFERS | server threads $SERVER_THREADS | wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION | $(nproc) cores"
[ -z "$peer_skip" ] || say_peer_skipped

# --- 1–3: no AOF -------------------------------------------------------------------------
echo
echo "=== Redis without AOF (--appendonly no --save '') ==="
redis_up noaof --appendonly no
gateway_up
load_offers
monitor_phase "attempts that win" "$URL" "$MONITOR_ATTEMPTS"
goal "round trips per winning attempt (<= 1)" "$RT_TOTAL" "$(verdict "$RT_TOTAL" "<=" 1)"
timed_uudai
goal "no AOF: Redis CPU per redemption (<= 15 µs)" "$SCRIPT_US µs" "$(verdict "$SCRIPT_US" "<=" 15)"
with_idem=$(awk -v a="$MEM_AFTER" -v b="$MEM_BEFORE" -v n="$CREATED" 'BEGIN { printf "%.0f", (a - b) / n }')
echo "Redis memory per created redemption, with idempotency records: $with_idem B (used_memory $MEM_BEFORE → $MEM_AFTER)"
echo "  by kind of key (MEMORY USAGE, ≤ 200 keys sampled per kind, ~ = scaled to the kind's count; every key of the store, offers too):"
python3 bench/redis_key_memory.py "$REDIS_PORT" "$PREFIX" "$CREATED"
goal "Redis memory per redemption with idempotency records" "$with_idem B" "reported"
gateway_down "$server_pid"
if [ -n "$has_retention" ]; then
  gateway_up --idempotency-retention "$IDEM_RETENTION"
  before=$(used_memory) events_before=$(events_memory) length_before=$(events_length)
  # Keys with a TTL before this run (the earlier runs' idempotency records, kept 24 h).
  expires_before=$(rcli info keyspace | tr -d '\r' | sed -nE 's/.*expires=([0-9]+).*/\1/p')
  out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" -s bench/wrk/redeem.lua "$URL")
  read -r requests non2xx _ < <(wrk_figures "$out")
  created=$((requests - non2xx))
  sleep "$((IDEM_RETENTION + 1))"
  expires=""
  for _ in 1 2 3 4 5; do
    python3 bench/redis_key_memory.py "$REDIS_PORT" "$PREFIX" "$created" >"$work/expired.txt"
    expires=$(rcli info keyspace | tr -d '\r' | sed -nE 's/.*expires=([0-9]+).*/\1/p')
    [ "${expires:-0}" -le "$((${expires_before:-0} + 10))" ] && break
    sleep 1
  done
  after=$(used_memory) events_after=$(events_memory) length_after=$(events_length)
  gateway_down "$server_pid"
  expired=$(awk -v a="$after" -v b="$before" -v n="$created" 'BEGIN { printf "%.0f", (a - b) / n }')
  events=$((events_after - events_before))
  expired_live=$(awk -v a="$after" -v b="$before" -v e="$events" -v n="$created" 'BEGIN { printf "%.0f", (a - b - e) / n }')
  per_event=$(awk -v e="$events" -v n="$((length_after - length_before))" 'BEGIN { printf "%.0f", (n > 0 ? e / n : 0) }')
  echo "Redis memory per created redemption after the idempotency record expired (--idempotency-retention $IDEM_RETENTION, $created created, then a full SCAN; keys with a TTL: ${expires_before:-0} before the run, ${expires:-0} after): $expired B"
  echo "  of which the event stream: $per_event B per event ($((length_after - length_before)) events; kept for the latest --event-retention events, default 1,000,000, whatever the campaign's length)"
  echo "  without the event stream: $expired_live B (goal <= 500: $(verdict "$expired_live" "<=" 500))"
  echo "  by kind of key, after the expiry:"
  cat "$work/expired.txt"
  goal "Redis memory per redemption after expiry (<= 500 B)" "$expired_live B (+ $per_event B an event kept)" "$(verdict "$expired_live" "<=" 500)"
else
  echo "Redis memory per redemption after the idempotency record expired: SKIPPED (uudai serve has no --idempotency-retention)"
  goal "Redis memory per redemption after expiry (<= 500 B)" "skipped (no --idempotency-retention)" "n/a"
fi
peer_or_skip "no AOF"
redis_down
embedded_ceiling

# --- 1: AOF, appendfsync always ------------------------------------------------------------
echo
echo "=== Redis with AOF, appendfsync always ==="
APPENDFSYNC=always redis_up aof
gateway_up
load_offers
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
awk -v b="$before" -v a="$(used_memory)" -v n="$CODES" -v ms="$codes_ms" 'BEGIN {
  printf "issuing %d unique codes: %d ms | Redis bytes per issued code: %.0f (code hash + change log)\n", n, ms, (a - b) / n }'
timed_uudai
goal "AOF always: Redis CPU per redemption (<= 15 µs)" "$SCRIPT_US µs" "$(verdict "$SCRIPT_US" "<=" 15)"

# One real create call (capture_create_call), replayed by redis-benchmark with __rand_int__ in
# place of its shopper, order, Idempotency-Key and redemption id: the ceiling Redis sets for it.
rb=""
if capture_create_call "$URL" "$work/monitor-create.txt"; then
  replay_args __rand_int__
  rb=$(redis-benchmark -p "$REDIS_PORT" -c 50 -n "$BENCHMARK_CALLS" -r 1000000000 -q "${replay[@]}" |
    tr '\r' '\n' | awk '/requests per second/ {for (i = 2; i <= NF; i++) if ($i == "requests") print $(i - 1)}' | tail -1)
  echo "redis-benchmark, 50 clients, $BENCHMARK_CALLS replays of the create call a gateway sent (${call[0]} … ${call[4]:-}): $rb/s"
else
  echo "redis-benchmark: SKIPPED, $CAPTURE_FAILURE"
fi
if [ -n "$rb" ]; then
  ratio=$(awk -v g="$RPS" -v b="$rb" 'BEGIN { printf "%.2f", g / b }')
  echo "ratio uudai / redis-benchmark: $ratio (goal >= 0.7: $(verdict "$ratio" ">=" 0.7))"
  goal "AOF always: uudai / redis-benchmark create (>= 0.7)" "$RPS / ${rb%.*} = $ratio" "$(verdict "$ratio" ">=" 0.7)"
fi
gateway_down "$server_pid"
peer_or_skip "AOF always"
redis_down

# --- 4: midnight stampede ------------------------------------------------------------------
echo
echo "=== Midnight stampede: two gateways, one offer with a quota of 1,000 (no AOF) ==="
redis_up stampede --appendonly no
gateway_up
gateway_a=$server_pid url_a=$URL
gateway_up
url_b=$URL
offer=$(curl -sf -X POST "$url_a/v1/offers" -H "Authorization: Bearer $ADMIN_KEY" \
  -H 'Content-Type: application/json' -d '{"merchant_id":"platform","layer":"platform",
  "name":"Midnight stampede","discount":{"type":"percent","value":10,"max_amount":100000},
  "code_mode":"auto","limits":{"total_redemptions":1000},
  "starts_at":"2020-01-01T00:00:00+07:00","ends_at":"2100-01-01T00:00:00+07:00"}' |
  sed -E 's/.*"id":"([^"]+)".*/\1/')
for _ in $(seq 1 50); do
  curl -sf -o /dev/null "$url_b/v1/offers/$offer" -H "Authorization: Bearer $ADMIN_KEY" && break
  sleep 0.1
done
# stampede N: N attempts, half to each gateway at once (two wrk processes); sets S_SENT,
# S_201, S_409, S_OTHER, S_MS.
stampede() {
  local half=$(($1 / 2)) start a b
  start=$(date +%s%N)
  attempts "$url_a" "$half" "a$2" "$((CONNECTIONS / 2))" >"$work/stampede-a.txt" &
  a=$!
  attempts "$url_b" "$(($1 - half))" "b$2" "$((CONNECTIONS / 2))" >"$work/stampede-b.txt" &
  b=$!
  wait "$a"
  wait "$b"
  S_MS=$((($(date +%s%N) - start) / 1000000))
  S_SENT=0 S_201=0 S_409=0 S_OTHER=0
  for f in "$work/stampede-a.txt" "$work/stampede-b.txt"; do
    S_SENT=$((S_SENT + $(field sent "$(cat "$f")")))
    S_201=$((S_201 + $(field 201 "$(cat "$f")")))
    S_409=$((S_409 + $(field 409 "$(cat "$f")")))
    S_OTHER=$((S_OTHER + $(field other "$(cat "$f")")))
  done
}
stampede "$STAMPEDE_ATTEMPTS" 1
stats=$(curl -sf "$url_a/v1/stats/offers/$offer" -H "Authorization: Bearer $ANALYST_KEY")
committed=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["redemptions"]["committed"])' <<<"$stats")
echo "$S_SENT attempts sent, in $S_MS ms: $S_201 answered 201 (goal exactly 1000: $(verdict "$S_201" "==" 1000)), $S_409 answered 409, $S_OTHER other"
echo "offer stats (GET /v1/stats/offers/$offer): redemptions $(python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["redemptions"]))' <<<"$stats") → committed $committed (goal 1000: $(verdict "$committed" "==" 1000))"
goal "stampede: 201s for a quota of 1,000 (exactly 1000)" "$S_201 of $S_SENT" "$(verdict "$S_201" "==" 1000)"
goal "stampede: the offer's committed redemptions (1000)" "$committed" "$(verdict "$committed" "==" 1000)"
goal "stampede: wall time of $S_SENT attempts" "$S_MS ms" "reported"
{ curl -sf "$url_a/metrics"; curl -sf "$url_b/metrics"; } >"$work/metrics.before"
stampede "$REFUSAL_ATTEMPTS" 2
{ curl -sf "$url_a/metrics"; curl -sf "$url_b/metrics"; } >"$work/metrics.after"
refusal_p99=$(python3 bench/route_p99.py --status 409 "$work/metrics.before" "$work/metrics.after" \
  /v1/redemptions | cut -d= -f2)
echo "then $S_SENT more attempts in $S_MS ms: $S_201 answered 201, $S_409 answered 409, $S_OTHER other"
echo "refusals' p99 (the gateways' histogram of POST /v1/redemptions with status 409; bucket bounds 1, 2 and 2.5 ms): ≤ $refusal_p99 ms (goal <= 2: $(verdict "$refusal_p99" "<=" 2))"
goal "stampede: refusals' p99, server side (<= 2 ms)" "<= $refusal_p99 ms (bucket bound)" "$(verdict "$refusal_p99" "<=" 2)"
monitor_phase "attempts that are refused" "$url_a" "$MONITOR_ATTEMPTS"
goal "round trips per refused attempt (<= 1)" "$RT_TOTAL" "$(verdict "$RT_TOTAL" "<=" 1)"
gateway_down "$gateway_a"
gateway_down "$server_pid"
redis_down

echo
echo "=== Summary ==="
printf '%s\n' "${summary[@]}"
