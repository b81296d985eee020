#!/usr/bin/env bash
# Starts and stops a throwaway redis-server for the tests, on loopback only.
#
#   redis_fixture.sh start DIR [ARGS...]    free loopback port; writes it to DIR/port
#   redis_fixture.sh restart DIR [ARGS...]  again on the port in DIR/port (after a stop/shutdown)
#   redis_fixture.sh stop DIR               stops the server whose pid is in DIR/redis.pid
#
# ARGS are passed on to redis-server (e.g. --requirepass secret). Nothing is persisted: no RDB
# snapshots, no AOF. The server runs daemonized with its pid in DIR/redis.pid and its log in
# DIR/redis.log. Exits non-zero when the server does not answer PING within 15 s (a machine busy
# with other tests can be slow to start it).
set -euo pipefail

usage() {
  echo "usage: $0 start|restart|stop DIR [redis-server args...]" >&2
  exit 2
}
[ $# -ge 2 ] || usage
verb=$1
dir=$2
shift 2

# shellcheck source=tests/redis/fixture_lib.sh
. "$(dirname "$0")/fixture_lib.sh"

# Starts redis-server on port $1 and waits until it is ours and answers. Returns non-zero
# if it did not come up (e.g. someone else took the port meanwhile).
launch() {
  local port=$1
  shift
  rm -f "$dir/redis.pid"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --dir "$dir" --logfile "$dir/redis.log" "$@" >/dev/null
  local others=0 pid
  for _ in $(seq 1 300); do
    # Our server is the one whose pid file appeared and whose working directory is $dir.
    pid=$(cat "$dir/redis.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && alive "$pid"; then
      local reply
      reply=$(redis-cli -h 127.0.0.1 -p "$port" --no-auth-warning "${auth[@]}" ping 2>/dev/null || true)
      if [ "$reply" = "PONG" ]; then
        # Answered, but by ours? (someone may have taken the port since we checked it). A
        # redis-cli that failed on a busy machine says nothing: ask again a few times first.
        local pidfile
        pidfile=$(redis-cli -h 127.0.0.1 -p "$port" --no-auth-warning "${auth[@]}" \
          config get pidfile 2>/dev/null | sed -n 2p)
        if [ "$pidfile" = "$dir/redis.pid" ]; then
          echo "$port" >"$dir/port"
          return 0
        fi
        others=$((others + 1))
        if [ "$others" -ge 10 ]; then
          echo "redis_fixture: port $port answers with pidfile '$pidfile', not ours" >&2
          return 1
        fi
      fi
    elif [ -n "$pid" ]; then
      echo "redis_fixture: redis-server $pid exited (port $port taken?)" >&2
      return 1
    fi
    sleep 0.05
  done
  echo "redis_fixture: no answer on port $port within 15 s" >&2
  return 1
}

# `redis-cli` needs the password to PING a server started with --requirepass.
auth=()
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[$i]}" = "--requirepass" ] && [ $((i + 1)) -lt ${#args[@]} ]; then
    auth=(-a "${args[$((i + 1))]}")
  fi
done

stop() { stop_server_in "$dir"; }

case "$verb" in
  start)
    mkdir -p "$dir"
    stop  # a server left over by an interrupted run
    # Below the kernel's ephemeral range (ip_local_port_range, 32768 and up on Debian): a client
    # reconnecting to a killed server on a port in that range can be given the very port as its
    # own (a TCP self-connection), and the restarted server then finds it taken.
    for _ in $(seq 1 50); do
      port=$((20000 + RANDOM % 12000))
      port_in_use "$port" && continue
      if launch "$port" "$@"; then
        exit 0
      fi
    done
    echo "redis_fixture: could not start redis-server (see $dir/redis.log)" >&2
    exit 1
    ;;
  restart)
    port=$(cat "$dir/port")
    if launch "$port" "$@"; then
      exit 0
    fi
    echo "redis_fixture: could not restart redis-server on port $port (see $dir/redis.log)" >&2
    exit 1
    ;;
  stop)
    stop
    ;;
  *)
    usage
    ;;
esac
