#!/usr/bin/env bash
# Abuse bench: does normal traffic keep its p99 while abusive connections are held open?
#   1. starts uudai (embedded store, fresh journal; --max-connections MAX_CONNECTIONS) with
#      `ulimit -n` raised for everyone, and registers OFFERS offers (default 1,000);
#   2. baseline: POST /v1/checkout/quote paced at RATE requests/s for DURATION
#      (bench/wrk/quote_paced.lua) → p50, p99;
#   3. starts bench/abuse_client.py: SLOWLORIS connections sending a request header 3 bytes a
#      second, never finishing it (the header timeout, 10 s, should close them), and IDLE
#      keep-alive connections silent after one answered request (the idle timeout, 60 s,
#      should close them); each closed one is replaced at once, for HOLD seconds;
#   4. control (DECOY=1, the default): the same abuse aimed at a second uudai on this machine
#      while the quote load runs against the first → what sharing the two cores with the
#      abuse costs, apart from uudai's own event loop;
#   5. the abuse aimed at the measured gateway; once it is all open, the same quote load again
#      → p50, p99, and the gateway's uudai_open_connections;
#   6. waits for the end of HOLD and prints the p99 ratio (abused / baseline; goal: normal
#      traffic keeps its p99) and how many abusive connections the server closed, after how
#      long.
# Usage: bench/run-abuse-bench.sh   (env: OFFERS=1000, RATE=2000, CONNECTIONS=16,
#        DURATION=30s, SLOWLORIS=1000, IDLE=1000, HOLD=75, RAMP=0, MAX_CONNECTIONS=4096,
#        SERVER_THREADS=1, DECOY=1, BUILD_DIR, SERVER_ARGS: more `uudai serve` flags for both
#        servers, e.g. "--header-timeout 200" to take the timeouts' churn out of the run).
#        Needs a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

OFFERS=${OFFERS:-1000}
RATE=${RATE:-2000}
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-30s}
SLOWLORIS=${SLOWLORIS:-1000}
IDLE=${IDLE:-1000}
HOLD=${HOLD:-75}  # > the idle timeout (60 s), and long enough for the abused run
RAMP=${RAMP:-0}   # seconds over which the slow-loris connections open (0: all at once)
MAX_CONNECTIONS=${MAX_CONNECTIONS:-4096}
SERVER_THREADS=${SERVER_THREADS:-1}
DECOY=${DECOY:-1}    # 1: also measure with the abuse aimed at a second uudai (control)
BUILD_DIR=${BUILD_DIR:-build/release}
read -r -a server_args <<<"${SERVER_ARGS:-}"
UUDAI="$BUILD_DIR/gateway/uudai"
export RATE CONNECTIONS
if [ "$HOLD" -lt $(($(duration_seconds "$DURATION") + RAMP + 10)) ]; then
  echo "HOLD ($HOLD s) must exceed DURATION + RAMP by 10 s at least" >&2
  exit 2
fi
[ -x "$UUDAI" ] || { echo "no $UUDAI: build the release preset first" >&2; exit 1; }
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: deploy/install-deps.sh" >&2; exit 1; }
done

# File descriptors: the gateway holds every connection, the abuse client its end of each.
need=$((SLOWLORIS + IDLE + CONNECTIONS + 256))
raise_fd_limit "$need"

work=$(mktemp -d)
server_pid=""
abuser_pid=""
sampler_pid=""
decoy_pid=""
cleanup() {
  if [ -n "$decoy_pid" ]; then kill "$decoy_pid" 2>/dev/null || true; fi
  if [ -n "$sampler_pid" ]; then kill "$sampler_pid" 2>/dev/null || true; fi
  if [ -n "$abuser_pid" ] && kill "$abuser_pid" 2>/dev/null; then wait "$abuser_pid" 2>/dev/null || true; fi
  if [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; then wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

write_bench_keys "$work"
PORT=$(free_port 18400)
URL="http://127.0.0.1:$PORT"
start_uudai --keys "$work/keys.json" --data-dir "$work/data" --max-connections "$MAX_CONNECTIONS" \
  ${server_args[@]+"${server_args[@]}"}
load_offers

# CPU seconds (user + system) process $1 has used so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
# measure NAME: the paced quote load for DURATION, printed as a row: wrk's req/s, p50, p99,
# non-2xx and socket errors; the server-side p99 (bucket bound of the gateway's histogram);
# uudai's CPU over the run in % of one core. Sets P99.
measure() {
  local out rps p50 p99 non2xx errors cpu0 cpu1 server_p99
  curl -sf "$URL/metrics" >"$work/metrics.before"
  cpu0=$(cpu_seconds "$server_pid")
  out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --timeout 5s --latency -s bench/wrk/quote_paced.lua "$URL")
  cpu1=$(cpu_seconds "$server_pid")
  curl -sf "$URL/metrics" >"$work/metrics.after"
  server_p99=$(python3 bench/route_p99.py "$work/metrics.before" "$work/metrics.after" /v1/checkout/quote)
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  errors=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' <<<"$out")
  printf '%-26s %7s %9s %9s %8s %7s %12s %9s\n' "$1" "$rps" "$p50" "$p99" "${non2xx:-0}" \
    "${errors:-0}" "<=${server_p99#*=}ms" \
    "$(awk -v a="$cpu0" -v b="$cpu1" -v d="$(duration_seconds "$DURATION")" 'BEGIN { printf "%.0f %%", (b - a) * 100 / d }')"
  P99=$p99
}
open_connections() { curl -sf "$URL/metrics" | awk '/^uudai_open_connections / {print $2}'; }

echo
echo "uudai $("$UUDAI" version | cut -d' ' -f2) | offers $OFFERS | server threads $SERVER_THREADS | max connections $MAX_CONNECTIONS | quotes: wrk -t1 -c$CONNECTIONS -d$DURATION paced at $RATE req/s | abuse: $SLOWLORIS slow-loris (opened over ${RAMP}s) + $IDLE idle for ${HOLD}s | server args: ${SERVER_ARGS:-none} | ulimit -n $(ulimit -n) | $(nproc) cores"
printf '%-26s %7s %9s %9s %8s %7s %12s %9s\n' phase 'req/s' p50 p99 non-2xx errors 'server p99' 'uudai CPU'
measure "quote, baseline"
p99_base=$P99

# start_abuse PORT: abuse_client.py against PORT, returns once every connection is open.
start_abuse() {
  rm -f "$work/ready"
  python3 bench/abuse_client.py --port "$1" --slowloris "$SLOWLORIS" --idle "$IDLE" \
    --hold "$HOLD" --ramp "$RAMP" --ready-file "$work/ready" >"$work/abuse.json" &
  abuser_pid=$!
  for _ in $(seq 1 600); do
    [ -s "$work/ready" ] && break
    kill -0 "$abuser_pid" 2>/dev/null || { echo "abuse client stopped early" >&2; exit 1; }
    sleep 0.1
  done
  [ -s "$work/ready" ] || { echo "abusive connections not all open after 60 s" >&2; exit 1; }
  abuser_cpu0=$(cpu_seconds "$abuser_pid")
}
# finish_abuse: the abuse client's CPU over the last measurement (ABUSER_CPU, % of a core),
# then waits for it to end its HOLD.
finish_abuse() {
  ABUSER_CPU=$(awk -v a="$abuser_cpu0" -v b="$(cpu_seconds "$abuser_pid")" \
    -v d="$(duration_seconds "$DURATION")" 'BEGIN { printf "%.0f", (b - a) * 100 / d }')
  wait "$abuser_pid"
  abuser_pid=""
}

# Control: the same abuse aimed at a decoy uudai on this machine. Its cost to the measured
# gateway is only the sharing of the two cores (CPU, caches, the scheduler), not its own
# event loop: the figure the abused run should be compared with.
if [ "$DECOY" = 1 ]; then
  decoy_port=$(free_port 18900)
  "$UUDAI" serve --listen "127.0.0.1:$decoy_port" --threads "$SERVER_THREADS" --log-level warn \
    --keys "$work/keys.json" --data-dir "$work/decoy" --max-connections "$MAX_CONNECTIONS" \
    ${server_args[@]+"${server_args[@]}"} &
  decoy_pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$decoy_port/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  start_abuse "$decoy_port"
  measure "quote, abuse at a decoy"
  p99_decoy=$P99
  finish_abuse
  kill "$decoy_pid"
  wait "$decoy_pid" 2>/dev/null || true
  decoy_pid=""
fi

start_abuse "$PORT"
# The gateway's own count of open connections, once a second while the abused run lasts.
(while :; do open_connections >>"$work/held"; sleep 1; done) &
sampler_pid=$!
measure "quote, $((SLOWLORIS + IDLE)) abusive open"
p99_abused=$P99
kill "$sampler_pid"
sampler_pid=""
finish_abuse
sleep 1
held_end=$(open_connections)

sort -n "$work/held" | awk -v end="$held_end" '{ v[NR] = $1 } END {
  printf "gateway open connections during the abused run (sampled each second): min %d, median %d, max %d; %d once the abuse client stopped\n", v[1], v[int((NR + 1) / 2)], v[NR], end }'
awk -v a="$(to_ms "$p99_abused")" -v b="$(to_ms "$p99_base")" 'BEGIN {
  printf "p99 ratio abused/baseline: %.2f (goal: normal traffic keeps its p99)\n", a / b }'
if [ "$DECOY" = 1 ]; then
  awk -v a="$(to_ms "$p99_abused")" -v d="$(to_ms "$p99_decoy")" -v b="$(to_ms "$p99_base")" 'BEGIN {
    printf "p99 ratio decoy-abused/baseline: %.2f (the machine shared with the abuse client and a second server); abused/decoy-abused: %.2f (what the abuse costs uudai itself)\n", d / b, a / d }'
fi
python3 - "$work/abuse.json" "$HOLD" "$ABUSER_CPU" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"abuse client: all open after {r['ready_after_s']} s, {sys.argv[2]} s in all; "
      f"{sys.argv[3]} % of a core during the abused run (it shares the 2 cores with uudai and wrk)")
for kind, timeout in (("slowloris", "header timeout, 10 s"), ("idle", "idle timeout, 60 s")):
    s = r[kind]
    life = s["lifetime_s"] or {}
    print(f"  {kind:9}: {s['opened']} opened, {s['closed_by_server']} closed by the server "
          f"({timeout}) after {life.get('min')} / {life.get('median')} / {life.get('max')} s "
          f"(min / median / max), {s['closed_within_1s']} within 1 s, "
          f"{s['connect_errors']} connect errors, answers {s['answers'] or 'none'}")
PY
