#!/usr/bin/env bash
# uudai on a Redis Cluster: how the load of separate stores spreads over the primaries, and
# the round trips a redemption costs there. One run, on a fresh local cluster of 3 primaries
# and 3 replicas (tests/redis/redis_cluster_fixture.sh: loopback, `--appendonly no --save ''`):
#   1. Two layouts of STORES stores, each store with a gateway of its own (`uudai serve --redis
#      redis+cluster://<the 3 primaries> --redis-prefix 'uudai:{bench-N}:' --threads
#      SERVER_THREADS`). Every key of a store shares its {hash tag}, so a store lives on one
#      slot, on one primary; the tags are picked by trying bench-1, bench-2, … (CLUSTER KEYSLOT,
#      and the slot's owner in CLUSTER NODES): "spread" puts the stores evenly over the 3
#      primaries (2 each with 6 stores), "one primary" puts them all on the first primary.
#      Each store gets one platform offer (POST /v1/offers, 10 %, no limits: every redemption
#      applies it). Then two loads of POST /v1/redemptions ("commit": true, bench/wrk/redeem.lua:
#      a new shopper, order and Idempotency-Key each) on every gateway at once for DURATION,
#      wrk -t1 -cCONNECTIONS per gateway: "full" (as fast as the connections go) and "paced"
#      (RATE redemptions/s per gateway, bench/wrk/pacing.lua: the same total load in both
#      layouts, below what the machine can take).
#   2. For each layout and load, per primary (INFO commandstats after CONFIG RESETSTAT before
#      the load): its FCALL calls and their share of all, FCALL usec per created redemption of
#      the stores on it, the primary's process CPU (/proc user + system over the load, in % of
#      one core and per created redemption); the spread (max / mean of FCALL calls per
#      primary; goal ≤ 1.25 in the spread layout under the paced load, where every store takes
#      the same load); the created redemptions/s of all gateways together and the worst p99;
#      the CPU of the gateways, the primaries and the replicas; then the offers' committed
#      redemptions (GET /v1/stats/offers/{id}) against the 201s of both loads.
#   3. Round trips per redemption: one store's gateway alone on the cluster, MONITOR on its
#      primary over MONITOR_ATTEMPTS redemptions → the commands the gateway sent (those a
#      function ran inside Redis left out; bench/monitor_calls.py) per created redemption,
#      without and with --redis-wait-replicas 1 (then every store call and read is followed by
#      a SET in the store's slot and WAIT 1 on the same connection; each SET and WAIT is put
#      to the call it follows). The change-log reads, the reader's heartbeat, the webhook
#      dispatcher's and the expiry sweeper's calls, with the SETs and WAITs after them, are
#      counted apart: they are periodic, not per redemption.
#   4. A summary of every figure.
# The spread is of separate stores: one store's offers are never spread over primaries. The
# gateways, wrk and the six Redis nodes share the machine's cores: on 2 cores the cluster
# cannot show more total throughput than one primary, only each primary's lower load.
# Usage: bench/run-cluster-bench.sh   Needs a release build (BUILD_DIR, default build/release).
# Env: STORES (6), DURATION (10s), CONNECTIONS (8 per gateway), RATE (700 redemptions/s per
#      gateway, the paced load), SERVER_THREADS (1), MONITOR_ATTEMPTS (200).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

STORES=${STORES:-6}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-8}
SERVER_THREADS=${SERVER_THREADS:-1}
MONITOR_ATTEMPTS=${MONITOR_ATTEMPTS:-200}
RATE=${RATE:-700}
BUILD_DIR=${BUILD_DIR:-build/release}
UUDAI="$BUILD_DIR/gateway/uudai"
FIXTURE=tests/redis/redis_cluster_fixture.sh
[ -x "$UUDAI" ] || { echo "no $UUDAI: build the release preset first" >&2; exit 1; }
for tool in wrk redis-server redis-cli curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: deploy/install-deps.sh" >&2; exit 1; }
done
[ "$STORES" -ge 1 ] || { echo "STORES must be at least 1" >&2; exit 1; }

work=$(mktemp -d)
cluster_dir="$work/cluster"
cluster_started=""
pids=() # gateways, wrk and MONITOR clients
cleanup() {
  local p
  # Every process this script started, also a gateway that never became ready (not yet in pids).
  for p in "${pids[@]}" ${server_pid:-}; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}" ${server_pid:-}; do wait "$p" 2>/dev/null || true; done
  [ -z "$cluster_started" ] || "$FIXTURE" stop "$cluster_dir" || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Figures: figure LABEL VALUE VERDICT, printed together at the end.
summary=()
figure() { summary+=("$(printf '%-72s %-36s %s' "$1" "$2" "$3")"); }

# --- the cluster ---------------------------------------------------------------------------
cluster_started=yes
"$FIXTURE" start "$cluster_dir" --appendonly no --save ''
cluster_primaries "$cluster_dir"

# primary_of SLOT: the port of the primary serving SLOT (CLUSTER NODES).
primary_of() {
  awk -v s="$1" '$3 ~ /master/ {
    for (i = 9; i <= NF; i++) {
      if ($i ~ /^\[/) continue  # a slot being migrated or imported
      n = split($i, r, "-")
      if (s >= r[1] + 0 && s <= r[n] + 0) {split($2, a, "[:@,]"); print a[2]; exit}
    } }' <<<"$nodes"
}

# choose_tags LAYOUT: STORES tags bench-N (N counting on from the last layout's) on separate
# slots; LAYOUT "spread" takes a tag only when its primary has no more stores than any other,
# "one" only when its primary is the first. Sets tags, tag_slot, tag_primary.
next_tag=0
choose_tags() {
  local layout=$1 slot owner p least
  local -A count=()
  for p in "${primaries[@]}"; do count[$p]=0; done
  tags=() tag_slot=() tag_primary=()
  while [ "${#tags[@]}" -lt "$STORES" ]; do
    next_tag=$((next_tag + 1))
    [ "$next_tag" -le 5000 ] || { echo "no $STORES tags found for the $layout layout" >&2; exit 1; }
    slot=$(redis-cli -p "${primaries[0]}" cluster keyslot "uudai:{bench-$next_tag}:")
    case " ${tag_slot[*]} " in *" $slot "*) continue ;; esac
    owner=$(primary_of "$slot")
    [ -n "$owner" ] || continue
    if [ "$layout" = spread ]; then
      least=$(for p in "${primaries[@]}"; do echo "${count[$p]}"; done | sort -n | head -1)
      [ "${count[$owner]}" -le "$least" ] || continue
    else
      [ "$owner" = "${primaries[0]}" ] || continue
    fi
    tags+=("bench-$next_tag")
    tag_slot+=("$slot")
    tag_primary+=("$owner")
    count[$owner]=$((count[$owner] + 1))
  done
}

# CPU ticks (user + system) of process $1; of the machine: "busy total".
proc_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
machine_ticks() { awk '$1 == "cpu" {t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t; exit}' /proc/stat; }
node_pid() { cat "$cluster_dir/node-$1/redis.pid"; }
hz=$(getconf CLK_TCK)

# --- gateways ------------------------------------------------------------------------------
# gateway_up TAG [serve args]: a gateway of store TAG on a free port (PORT, URL, server_pid).
gateway_up() {
  local tag=$1
  shift
  PORT=$(free_port 18400)
  URL="http://127.0.0.1:$PORT"
  start_uudai --keys "$work/keys.json" --redis "$CLUSTER_URL" --redis-prefix "uudai:{$tag}:" "$@"
  pids+=("$server_pid")
}
gateway_down() { if kill "$1" 2>/dev/null; then wait "$1" 2>/dev/null || true; fi; }
flush_primaries() { for p in "${primaries[@]}"; do redis-cli -p "$p" flushall >/dev/null; done; }

# add_offer URL: one platform offer (auto, 10 % up to 100,000 đồng, no limits); prints its id.
add_offer() {
  curl -sf -X POST "$1/v1/offers" -H "Authorization: Bearer $ADMIN_KEY" \
    -H 'Content-Type: application/json' -d '{"merchant_id":"platform","layer":"platform",
    "name":"Cluster bench","discount":{"type":"percent","value":10,"max_amount":100000},
    "code_mode":"auto","starts_at":"2020-01-01T00:00:00+07:00","ends_at":"2100-01-01T00:00:00+07:00"}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}

# --- 1–2: the two layouts under load -------------------------------------------------------
# The paced load: bench/wrk/redeem.lua at RATE redemptions/s per wrk thread (bench/wrk/pacing.lua).
printf '%s\n' 'dofile("bench/wrk/redeem.lua")' 'dofile("bench/wrk/pacing.lua")' \
  'delay = paced_delay(tonumber(os.getenv("RATE") or "1000"))' >"$work/redeem_paced.lua"

# cpu_pct TICKS SECONDS: TICKS over SECONDS in % of one core.
cpu_pct() { awk -v t="$1" -v hz="$hz" -v w="$2" 'BEGIN {printf "%.0f", 100 * t / hz / w}'; }

# measure LAYOUT LOAD: wrk on every gateway of the layout (urls, gw, tag_primary) at once for
# DURATION, LOAD "full" (as fast as CONNECTIONS allow) or "paced" (RATE a gateway); prints a
# line per store, per primary and the totals. Sets M_RPS, M_CREATED, M_P99 (the worst, ms),
# M_SPREAD, M_SHARES ("a / b / c %"), M_CPU ("gateways, primaries, replicas (busy …)") and,
# per primary (in the order of primaries), M_SHARE_OF, M_RPS_OF, M_FCALL_US_OF, M_CPU_OF,
# M_CPU_US_OF.
measure() {
  local layout=$1 load=$2 i p out requests non2xx seconds p50 p99 created rps script=bench/wrk/redeem.lua
  local -a wrk_pids=()
  local -A created_on=() rps_on=() ticks_before=() ticks_of=()
  [ "$load" = full ] || script="$work/redeem_paced.lua"
  for p in "${node_ports[@]}"; do redis-cli -p "$p" config resetstat >/dev/null; done
  # CPU ticks before the load: each node, the gateways together, the machine.
  for p in "${node_ports[@]}"; do ticks_before[$p]=$(proc_ticks "$(node_pid "$p")"); done
  local gw_before machine_before start wall machine_after
  gw_before=$(for p in "${gw[@]}"; do proc_ticks "$p"; done | awk '{t += $1} END {print t}')
  machine_before=$(machine_ticks)
  start=$(date +%s%N)
  for i in "${!urls[@]}"; do
    RATE=$RATE TAG="$load$layout$i" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" \
      "${urls[i]}" >"$work/wrk-$layout-$load-$i.txt" &
    wrk_pids+=("$!")
    pids+=("$!")
  done
  for p in "${wrk_pids[@]}"; do wait "$p"; done
  wall=$(awk -v n="$(($(date +%s%N) - start))" 'BEGIN {printf "%.2f", n / 1e9}')
  machine_after=$(machine_ticks)
  local gw_cpu replica_ticks=0 primary_ticks=0 busy
  gw_cpu=$(cpu_pct "$(($(for p in "${gw[@]}"; do proc_ticks "$p"; done | awk '{t += $1} END {print t}') - gw_before))" "$wall")
  for p in "${node_ports[@]}"; do
    ticks_of[$p]=$(($(proc_ticks "$(node_pid "$p")") - ticks_before[$p]))
    case " ${primaries[*]} " in
      *" $p "*) primary_ticks=$((primary_ticks + ticks_of[$p])) ;;
      *) replica_ticks=$((replica_ticks + ticks_of[$p])) ;;
    esac
  done
  busy=$(awk -v a="$machine_after" -v b="$machine_before" 'BEGIN {split(a, x, " "); split(b, y, " ");
    printf "%.0f", 100 * (x[1] - y[1]) / (x[2] - y[2])}')
  M_RPS=0 M_CREATED=0 M_P99=0
  for i in "${!urls[@]}"; do
    out=$(cat "$work/wrk-$layout-$load-$i.txt")
    read -r requests non2xx seconds p50 p99 < <(wrk_figures "$out")
    created=$((requests - non2xx))
    rps=$(awk -v r="$created" -v s="$seconds" 'BEGIN {printf "%.0f", r / s}')
    M_CREATED=$((M_CREATED + created))
    M_RPS=$((M_RPS + rps))
    p=${tag_primary[i]}
    created_on[$p]=$((${created_on[$p]:-0} + created))
    rps_on[$p]=$((${rps_on[$p]:-0} + rps))
    if awk -v a="$(to_ms "$p99")" -v b="$M_P99" 'BEGIN {exit !(a > b)}'; then M_P99=$(to_ms "$p99"); fi
    printf '  store {%s}: slot %5s on primary %s | %6d created (201) in %ss = %5s/s | p50 %s p99 %s | refused: %s\n' \
      "${tags[i]}" "${tag_slot[i]}" "$p" "$created" "$seconds" "$rps" "$p50" "$p99" "$non2xx"
  done
  local -a calls_of=() usec_of=()
  local all_calls=0 calls usec stats k=0
  for p in "${primaries[@]}"; do
    stats=$(redis-cli -p "$p" info commandstats | tr -d '\r')
    calls=$(awk -F'[:=,]' '$1 == "cmdstat_fcall" {print $3}' <<<"$stats")
    usec=$(awk -F'[:=,]' '$1 == "cmdstat_fcall" {print $5}' <<<"$stats")
    calls_of+=("${calls:-0}")
    usec_of+=("${usec:-0}")
    all_calls=$((all_calls + ${calls:-0}))
  done
  M_SHARE_OF=() M_RPS_OF=() M_FCALL_US_OF=() M_CPU_OF=() M_CPU_US_OF=()
  echo "  per primary (INFO commandstats: FCALL calls and usec; process CPU: /proc user + system over the ${wall} s of load):"
  for p in "${primaries[@]}"; do
    M_SHARE_OF+=("$(awk -v c="${calls_of[k]}" -v t="$all_calls" 'BEGIN {printf "%.1f", t ? 100 * c / t : 0}')")
    M_RPS_OF+=("${rps_on[$p]:-0}")
    M_FCALL_US_OF+=("$(awk -v u="${usec_of[k]}" -v n="${created_on[$p]:-0}" 'BEGIN {if (n) printf "%.1f", u / n; else print "n/a"}')")
    M_CPU_OF+=("$(cpu_pct "${ticks_of[$p]}" "$wall")")
    M_CPU_US_OF+=("$(awk -v t="${ticks_of[$p]}" -v hz="$hz" -v n="${created_on[$p]:-0}" \
      'BEGIN {if (n) printf "%.1f", 1e6 * t / hz / n; else print "n/a"}')")
    printf '  primary %s: %5d redemptions/s | fcall %6d calls = %5s %% of all, %8d usec = %5s µs per created redemption | process CPU %3s %% of a core = %5s µs per created redemption\n' \
      "$p" "${M_RPS_OF[k]}" "${calls_of[k]}" "${M_SHARE_OF[k]}" "${usec_of[k]}" "${M_FCALL_US_OF[k]}" \
      "${M_CPU_OF[k]}" "${M_CPU_US_OF[k]}"
    k=$((k + 1))
  done
  M_SPREAD=$(printf '%s\n' "${calls_of[@]}" | awk '{s += $1; if ($1 > m) m = $1; n++} END {printf "%.2f", n && s ? m / (s / n) : 0}')
  M_SHARES="$(printf '%s / ' "${M_SHARE_OF[@]}" | sed 's| / $||') %"
  M_CPU="$gw_cpu, $(cpu_pct "$primary_ticks" "$wall"), $(cpu_pct "$replica_ticks" "$wall") (busy $busy % of $(nproc))"
  echo "  spread (max / mean of fcall calls per primary): $M_SPREAD | all gateways: $M_CREATED created, $M_RPS redemptions/s, worst p99 $M_P99 ms"
  echo "  CPU over the load, % of one core: gateways $gw_cpu, primaries $(cpu_pct "$primary_ticks" "$wall"), replicas $(cpu_pct "$replica_ticks" "$wall"); the machine busy: $busy % of $(nproc) cores"
}

# run_layout LAYOUT LABEL: the stores of choose_tags LAYOUT, their gateways and offers, then
# the full load and the paced load; adds the figures to the summary. Leaves the store of the
# first tag as RT_TAG / RT_PRIMARY (for step 3) and empties the primaries afterwards.
run_layout() {
  local layout=$1 label=$2 i p k committed=0 created=0 in_flight=$((2 * STORES * CONNECTIONS)) ok
  local -A on_primary=()
  gw=() urls=() offers=()
  choose_tags "$layout"
  echo
  echo "=== $label: $STORES stores, each with its gateway ==="
  for i in "${!tags[@]}"; do
    gateway_up "${tags[i]}"
    gw+=("$server_pid")
    urls+=("$URL")
    offers+=("$(add_offer "$URL")")
    on_primary[${tag_primary[i]}]=$((${on_primary[${tag_primary[i]}]:-0} + 1))
  done
  echo "stores per primary: $(for p in "${primaries[@]}"; do printf '%s: %d  ' "$p" "${on_primary[$p]:-0}"; done)"

  echo "full load (wrk -t1 -c$CONNECTIONS -d$DURATION on each gateway at once):"
  measure "$layout" full
  created=$((created + M_CREATED))
  figure "$label, full load: redemptions/s of all gateways (worst p99)" "$M_RPS/s ($M_P99 ms)" "reported"
  figure "$label, full load: share of fcall calls per primary" "$M_SHARES" "reported"
  figure "$label, full load: CPU % of a core: gateways, primaries, replicas" "$M_CPU" "reported"

  echo "paced load ($RATE redemptions/s on each gateway: $((RATE * STORES))/s in all; wrk -t1 -c$CONNECTIONS -d$DURATION):"
  measure "$layout" paced
  created=$((created + M_CREATED))
  figure "$label, paced load: redemptions/s of all gateways (worst p99)" "$M_RPS/s of $((RATE * STORES)) ($M_P99 ms)" "reported"
  if [ "$layout" = spread ]; then
    figure "$label, paced: spread, max / mean of fcall calls per primary (<= 1.25)" "$M_SPREAD" "$(verdict "$M_SPREAD" "<=" 1.25)"
  else
    figure "$label, paced: spread, max / mean of fcall calls per primary" "$M_SPREAD" "reported"
  fi
  k=0
  for p in "${primaries[@]}"; do
    figure "$label, paced: primary $p (${on_primary[$p]:-0} stores): fcall share, process CPU" \
      "${M_SHARE_OF[k]} %, ${M_CPU_OF[k]} % of a core" "reported"
    [ "${on_primary[$p]:-0}" -eq 0 ] ||
      figure "$label, paced: primary $p: per redemption, fcall usec; process CPU" \
        "${M_FCALL_US_OF[k]} µs; ${M_CPU_US_OF[k]} µs" "reported"
    k=$((k + 1))
  done
  figure "$label, paced: CPU % of a core: gateways, primaries, replicas" "$M_CPU" "reported"

  for i in "${!urls[@]}"; do
    committed=$((committed + $(curl -sf "${urls[i]}/v1/stats/offers/${offers[i]}" \
      -H "Authorization: Bearer $ANALYST_KEY" |
      python3 -c 'import json, sys; print(json.load(sys.stdin)["redemptions"]["committed"])')))
  done
  # A redemption in flight when wrk stops is committed but never counted by wrk.
  ok=$(awk -v c="$committed" -v n="$created" -v f="$in_flight" 'BEGIN {print (c >= n && c <= n + f) ? "met" : "short"}')
  echo "the offers' committed redemptions (GET /v1/stats/offers/{id}): $committed; the 201s of both loads: $created (+ at most $in_flight in flight when wrk stopped: $ok)"
  figure "$label: the offers' committed = the 201s (+ in flight)" "$committed / $created" "$ok"
  for p in "${gw[@]}"; do gateway_down "$p"; done
  [ -n "${RT_TAG:-}" ] || { RT_TAG=${tags[0]}; RT_PRIMARY=${tag_primary[0]}; }
  flush_primaries
}

# --- 3: round trips ------------------------------------------------------------------------
# attempts URL N TAG: exactly N redemptions with bench/wrk/redeem.lua (-t1, CONNECTIONS),
# prints its "attempts: sent=N answered=N 201=N 409=N other=N" line.
attempts() {
  local line
  line=$(ATTEMPTS=$2 TAG=$3 timeout 120 wrk -t1 -c"$CONNECTIONS" -d100s --timeout 10s \
    -s bench/wrk/redeem.lua "$1" | grep '^attempts:' || true)
  [ -n "$line" ] || { echo "wrk did not get an answer to each of $2 redemptions" >&2; return 1; }
  echo "$line"
}

# monitor_counts FILE: "kind calls" lines of the commands clients sent (bench/monitor_calls.py's
# parsing; `lua` lines left out). With --redis-wait-replicas the gateway sends the mark (a SET
# of a key ending in ":replicated") and WAIT when a call's reply comes, and Redis answers a
# connection's commands in order: so the n-th mark and WAIT on a connection follow its n-th
# command that names a key, and are named after it, "set (after fcall create)".
monitor_counts() {
  python3 - "$1" <<'EOF'
import collections
import sys
sys.path.insert(0, 'bench')
from monitor_calls import LINE, TOKEN, kind, unquote

# Commands that name no key: no mark and no WAIT follow them.
KEYLESS = {b'cluster', b'ping', b'info', b'function', b'client', b'hello', b'auth', b'select',
           b'command', b'asking', b'readonly', b'wait'}
marks = collections.defaultdict(collections.deque)  # per connection: calls awaiting their mark
waits = collections.defaultdict(collections.deque)  # ... and their WAIT
counts = collections.Counter()
with open(sys.argv[1], 'rb') as f:
    for line in f:
        m = LINE.match(line.rstrip(b'\r\n'))
        if not m or m.group(1) == b'lua':
            continue
        args = [unquote(t) for t in TOKEN.findall(m.group(2))]
        if not args:
            continue
        conn, command, name = m.group(1), args[0].lower(), kind(args)
        if command == b'set' and len(args) > 1 and args[1].endswith(b':replicated'):
            name = f'set (after {marks[conn].popleft()})' if marks[conn] else 'set (after a call before MONITOR)'
        elif command == b'wait':
            name = f'wait (after {waits[conn].popleft()})' if waits[conn] else 'wait (after a call before MONITOR)'
        elif command not in KEYLESS:
            marks[conn].append(name)
            waits[conn].append(name)
        counts[name] += 1
for name, calls in counts.most_common():
    print(name, calls)
EOF
}

# round_trips LABEL [serve args]: the RT_TAG store's gateway alone, MONITOR on RT_PRIMARY
# during MONITOR_ATTEMPTS redemptions; prints the commands per created redemption and sets
# RT_TOTAL (their total) and RT_LIST ("kind per-redemption", comma-separated).
APART='xread|expir|sweep|reader_|webhooks_|before MONITOR|^cluster|^ping|^info'
round_trips() {
  local label=$1 file="$work/monitor-$1.txt" mon line created
  shift
  gateway_up "$RT_TAG" "$@"
  redis-cli -p "$RT_PRIMARY" monitor >"$file" &
  mon=$!
  pids+=("$mon")
  for _ in $(seq 1 50); do [ -s "$file" ] && break; sleep 0.05; done
  line=$(attempts "$URL" "$MONITOR_ATTEMPTS" "m$label")
  sleep 0.3 # the last replies' SET and WAIT
  kill "$mon" 2>/dev/null || true
  wait "$mon" 2>/dev/null || true
  gateway_down "$server_pid"
  created=$(field 201 "$line")
  monitor_counts "$file" >"$file.kinds"
  echo "commands per created redemption, $label ($(field answered "$line") redemptions: $created answered 201, $(field 409 "$line") 409, $(field other "$line") other; MONITOR on primary $RT_PRIMARY):"
  awk -v n="$created" -v apart="$APART" '$0 !~ apart {c = $NF; $NF = ""; printf "    %-34s %.3f\n", $0, c / n}' "$file.kinds"
  RT_TOTAL=$(awk -v n="$created" -v apart="$APART" '$0 !~ apart {t += $NF} END {printf "%.3f", t / n}' "$file.kinds")
  RT_LIST=$(awk -v n="$created" -v apart="$APART" '$0 !~ apart {c = $NF; $NF = ""; sub(/ $/, ""); printf "%s%s %.3f", sep, $0, c / n; sep = ", "}' "$file.kinds")
  printf '    %-34s %s\n' "total per created redemption" "$RT_TOTAL"
  awk -v apart="$APART" '$0 ~ apart {c = $NF; $NF = ""; printf "    not per redemption: %-40s %d in the phase\n", $0, c}' "$file.kinds"
}

write_bench_keys "$work"
echo "uudai $("$UUDAI" version | cut -d' ' -f2) + redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) | cluster: primaries ${primaries[*]}, replicas $(printf '%s\n' "${node_ports[@]}" | grep -vxF -f <(printf '%s\n' "${primaries[@]}") | tr '\n' ' ')(appendonly no) | $STORES stores, server threads $SERVER_THREADS | wrk -t1 -c$CONNECTIONS -d$DURATION per gateway, full then paced at $RATE/s | $(nproc) cores"

run_layout spread "spread"
run_layout one "one primary"

echo
echo "=== Round trips per redemption: store {$RT_TAG} alone (primary $RT_PRIMARY) ==="
gateway_up "$RT_TAG"
add_offer "$URL" >/dev/null
gateway_down "$server_pid"
round_trips no-wait
figure "commands per redemption, no wait (MONITOR, $MONITOR_ATTEMPTS)" "$RT_TOTAL" "reported"
figure "  of them" "$RT_LIST" ""
round_trips wait-replicas-1 --redis-wait-replicas 1
figure "commands per redemption, --redis-wait-replicas 1" "$RT_TOTAL" "reported"
figure "  of them" "$RT_LIST" ""

echo
echo "=== Summary ==="
printf '%s\n' "${summary[@]}"
