# shellcheck shell=bash
# Shared by the bench scripts (source it; it defines functions and nothing else).

# The first loopback port from $1 (default 18400) that nobody listens on.
free_port() {
  local port start=${1:-18400}
  for port in $(seq "$start" "$((start + 500))"); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  return 1
}

# Writes DIR/keys.json with fresh admin, checkout and analyst keys; exports ADMIN_KEY,
# CHECKOUT_KEY and ANALYST_KEY.
write_bench_keys() {
  ADMIN_KEY="bench-admin-key-$(date +%s%N)"
  CHECKOUT_KEY="bench-checkout-key-$(date +%s%N)"
  ANALYST_KEY="bench-analyst-key-$(date +%s%N)"
  export ADMIN_KEY CHECKOUT_KEY ANALYST_KEY
  printf '[{"key":"%s","role":"admin"},{"key":"%s","role":"checkout"},{"key":"%s","role":"analyst"}]\n' \
    "$ADMIN_KEY" "$CHECKOUT_KEY" "$ANALYST_KEY" >"$1/keys.json"
}

# Starts a private redis-server on 127.0.0.1:$REDIS_PORT with its files in DIR (AOF on,
# appendfsync $APPENDFSYNC, default always; no RDB snapshots), daemonized, and waits for PONG.
# Arguments after DIR go to redis-server as they are, after these (so they win): e.g.
# --auto-aof-rewrite-percentage 0, or --appendonly no for no AOF at all.
# The caller stops it: redis-cli -p "$REDIS_PORT" shutdown nosave.
# shellcheck disable=SC2153  # REDIS_PORT is set by the caller
start_redis() {
  local dir=$1
  shift
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$dir" --save '' \
    --appendonly yes --appendfsync "${APPENDFSYNC:-always}" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" "$@" >/dev/null
  for _ in $(seq 1 100); do
    [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.05
  done
  echo "redis-server did not answer on port $REDIS_PORT" >&2
  return 1
}

# The resident set of process $1 in KiB (VmRSS from /proc), or 0 when it is gone.
rss_kib() {
  awk '/^VmRSS:/ {print $2; found = 1} END {if (!found) print 0}' "/proc/$1/status" 2>/dev/null || echo 0
}

# Seconds in a duration written as wrk takes it: 90, 90s, 10m, 1h.
duration_seconds() {
  case "$1" in
    *h) echo $((${1%h} * 3600)) ;;
    *m) echo $((${1%m} * 60)) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}

# Reads UUDAI, PORT and SERVER_THREADS; sets server_pid (for the caller's cleanup).
# Starts `$UUDAI serve --listen 127.0.0.1:$PORT --threads $SERVER_THREADS --log-level warn`
# with the extra arguments given, in the background (its pid in server_pid), and waits until
# /readyz answers.
# shellcheck disable=SC2034,SC2153  # server_pid is the caller's; PORT is set by the caller
start_uudai() {
  # UUDAI_WRAPPER runs uudai under a tool, e.g. UUDAI_WRAPPER="heaptrack -o /tmp/soak" (then
  # the RSS the scripts print is the tool's, not uudai's).
  # shellcheck disable=SC2086
  ${UUDAI_WRAPPER:-} "$UUDAI" serve --listen "127.0.0.1:$PORT" --threads "$SERVER_THREADS" --log-level warn "$@" &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "uudai did not become ready on port $PORT" >&2
  return 1
}

# Registers $OFFERS offers over $OFFERS/10 shops through POST /v1/offers (exports SHOPS).
load_offers() {
  export OFFERS
  SHOPS=$((OFFERS / 10 > 0 ? OFFERS / 10 : 1))
  export SHOPS
  echo "loading $OFFERS offers over $SHOPS shops..."
  wrk -t1 -c1 -d300s -s bench/wrk/load_offers.lua "http://127.0.0.1:$PORT" >/dev/null
}

# wrk_figures OUTPUT: "requests non2xx seconds p50 p99" of a wrk report.
wrk_figures() {
  awk '/requests in/ {r = $1; s = $4; gsub(/s,?/, "", s)}
       /Non-2xx/ {n = $5}
       $1 == "50%" {p50 = $2}
       $1 == "99%" {p99 = $2}
       END {print r + 0, n + 0, s, p50, p99}' <<<"$1"
}

# wrk's latency as it prints it (850.00us, 1.20ms, 1.05s, 1.50m) in milliseconds.
to_ms() {
  awk -v t="$1" 'BEGIN {
    if (t ~ /us$/) print substr(t, 1, length(t) - 2) / 1000
    else if (t ~ /ms$/) print substr(t, 1, length(t) - 2) + 0
    else if (t ~ /m$/) print substr(t, 1, length(t) - 1) * 60000
    else print substr(t, 1, length(t) - 1) * 1000 }'
}

# Raises this shell's `ulimit -n` to $1 file descriptors if it is lower (the children inherit
# it), or exits 1 saying what the hard limit is.
raise_fd_limit() {
  if [ "$(ulimit -n)" -lt "$1" ]; then
    ulimit -n "$1" 2>/dev/null || {
      echo "ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)); $1 needed" >&2
      exit 1
    }
  fi
}

# field NAME LINE: the number N of "NAME=N" in LINE (NAME at its start or after a space).
field() { sed -nE "s/.*(^| )$1=([0-9.]+).*/\2/p" <<<"$2"; }

# verdict VALUE OP GOAL (OP: <=, >= or ==): "met" or "short" for the summary of a bench, "n/a"
# when VALUE is empty (the figure could not be measured).
verdict() {
  awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN {
    if (v == "") {print "n/a"; exit}
    ok = (op == "<=") ? (v + 0 <= g + 0) : (op == ">=") ? (v + 0 >= g + 0) : (v + 0 == g + 0)
    print ok ? "met" : "short" }'
}

# After tests/redis/redis_cluster_fixture.sh started a cluster in DIR: sets node_ports (every
# node, the ports file's order), primaries (the 3 primaries' ports, in that order), nodes
# (CLUSTER NODES) and CLUSTER_URL (redis+cluster:// of the 3 primaries); fails unless there are
# 3 primaries.
# shellcheck disable=SC2034  # the caller's variables
cluster_primaries() {
  local p
  mapfile -t node_ports <"$1/ports"
  nodes=$(redis-cli -p "${node_ports[0]}" cluster nodes)
  primaries=()
  for p in "${node_ports[@]}"; do
    if awk -v p="$p" '$3 ~ /master/ && index($2, ":" p "@") {found = 1} END {exit !found}' <<<"$nodes"; then
      primaries+=("$p")
    fi
  done
  [ "${#primaries[@]}" -eq 3 ] || { echo "expected 3 primaries, CLUSTER NODES shows ${#primaries[@]}" >&2; return 1; }
  CLUSTER_URL="redis+cluster://127.0.0.1:${primaries[0]},127.0.0.1:${primaries[1]},127.0.0.1:${primaries[2]}"
}

# capture_create_call URL FILE: one real create call, captured with `redis-cli MONITOR` (into
# FILE) on the Redis at REDIS_PORT while one redemption with a known shopper, order and
# Idempotency-Key (CHECKOUT_KEY, shop-1, sku-1) goes through the gateway at URL. Sets `call`
# (the call's arguments), `tag` and `redemption_id` for replay_args, and checks that two
# replays with other strings both create (a replay of one idempotency record, or a refusal,
# costs Redis far less than a create). Returns 1 with CAPTURE_FAILURE saying why otherwise.
# shellcheck disable=SC2034  # call, tag, redemption_id, CAPTURE_FAILURE are the caller's
capture_create_call() {
  local url=$1 file=$2 mon reply probe answer
  tag="rb$(date +%s%N)"
  call=()
  redis-cli -p "$REDIS_PORT" monitor >"$file" &
  mon=$!
  for _ in $(seq 1 50); do [ -s "$file" ] && break; sleep 0.05; done
  reply=$(curl -s -X POST "$url/v1/redemptions" -H "Authorization: Bearer $CHECKOUT_KEY" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: key$tag" \
    -d "{\"shopper_id\":\"shopper$tag\",\"merchant_id\":\"shop-1\",\"payment_method\":\"momo\",\"order_id\":\"order$tag\",\"commit\":true,\"items\":[{\"sku\":\"sku-1\",\"category\":\"fashion\",\"unit_price\":400000,\"quantity\":1}]}")
  sleep 0.3
  kill "$mon" 2>/dev/null || true
  wait "$mon" 2>/dev/null || true
  redemption_id=$(python3 -c 'import json, sys; print(json.load(sys.stdin).get("id", ""))' <<<"$reply" 2>/dev/null || true)
  if [ -z "$redemption_id" ] ||
    ! mapfile -d '' call < <(python3 bench/monitor_calls.py argv "$file" "$redemption_id") ||
    [ "${#call[@]}" -le 3 ]; then
    CAPTURE_FAILURE="no create call carrying the redemption id was captured (reply: ${reply:0:200})"
    return 1
  fi
  for probe in "probe1$tag" "probe2$tag"; do
    replay_args "$probe"
    answer=$(redis-cli -p "$REDIS_PORT" "${replay[@]}" | head -1)
    if [ "$answer" != ok ]; then
      CAPTURE_FAILURE="the replayed create call does not match (a probe answered \"$answer\", not ok)"
      return 1
    fi
  done
}

# replay_args WITH: `replay`, the call capture_create_call captured with WITH in place of its
# shopper, order, Idempotency-Key and redemption id.
replay_args() {
  local a
  replay=()
  for a in "${call[@]}"; do
    a=${a//"shopper$tag"/$1}
    a=${a//"order$tag"/$1}
    a=${a//"key$tag"/$1}
    replay+=("${a//"$redemption_id"/$1}")
  done
}

# For the scripts that replay a captured create call against Redis alone: checks that $UUDAI
# and the tools named exist, makes `work` (removed at exit, with the uudai in server_pid and the
# redis-server on REDIS_PORT stopped), writes the bench keys there, starts a redis-server
# without AOF on REDIS_PORT, its files in $work/redis, and picks PORT for uudai.
# shellcheck disable=SC2034  # work, server_pid, REDIS_PORT and PORT are the caller's
start_replay_bench() {
  local tool
  [ -x "$UUDAI" ] || { echo "no $UUDAI: build the release preset first" >&2; exit 1; }
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: deploy/install-deps.sh" >&2; exit 1; }
  done
  work=$(mktemp -d)
  server_pid=""
  REDIS_PORT=""
  trap stop_replay_bench EXIT
  trap 'exit 130' INT TERM
  write_bench_keys "$work"
  REDIS_PORT=$(free_port 16400)
  mkdir -p "$work/redis"
  start_redis "$work/redis" --appendonly no
  PORT=$(free_port 18400)
}

# start_replay_bench's cleanup.
stop_replay_bench() {
  if [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; then wait "$server_pid" 2>/dev/null || true; fi
  [ -z "$REDIS_PORT" ] || redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
