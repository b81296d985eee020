#!/usr/bin/env bash
# Starts and stops a throwaway Redis Cluster for the tests: 3 primaries and 3 replicas, on
# loopback only.
#
#   redis_cluster_fixture.sh start DIR [ARGS...]   six nodes on free loopback ports; the cluster
#                                                  is created and every node reports
#                                                  cluster_state:ok before it returns
#   redis_cluster_fixture.sh restart-node DIR PORT after a crash of the node on PORT: starts it
#                                                  again with its nodes.conf (and its AOF, when
#                                                  ARGS at start asked for one); it rejoins the
#                                                  cluster, as a replica if it lost its slots
#   redis_cluster_fixture.sh stop DIR              stops every node of DIR
#
# DIR/ports lists the six client ports, one a line (the first three were created primaries);
# DIR/node-PORT/ holds each node's redis.pid, redis.log and nodes.conf. ARGS are passed on to
# every redis-server (e.g. --appendonly yes --appendfsync always). Unless ARGS say otherwise
# nothing is persisted. cluster-node-timeout is 1000 ms, so that a killed primary's replica
# takes over within a few seconds. Exits non-zero when the cluster is not ok within 60 s.
set -euo pipefail

usage() {
  echo "usage: $0 start DIR [redis-server args...] | restart-node DIR PORT | stop DIR" >&2
  exit 2
}
[ $# -ge 2 ] || usage
verb=$1
dir=$2
shift 2

# shellcheck source=tests/redis/fixture_lib.sh
. "$(dirname "$0")/fixture_lib.sh"

stop_all() {
  local node_dir
  for node_dir in "$dir"/node-*; do
    [ -d "$node_dir" ] && stop_server_in "$node_dir"
  done
  return 0
}

# A free port below the kernel's ephemeral range (see redis_fixture.sh) that is not in
# `taken` (the ports this cluster uses already).
pick_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    port_in_use "$port" && continue
    case " ${taken[*]} " in *" $port "*) continue ;; esac
    echo "$port"
    return 0
  done
  return 1
}

# Starts one node; returns non-zero if it exited (its port taken meanwhile). A new node starts
# with no nodes.conf; a restarted one keeps its own.
launch_node() {
  local port=$1 bus_port=$2 node_dir="$dir/node-$1"
  shift 2
  mkdir -p "$node_dir"
  rm -f "$node_dir/redis.pid"
  echo "$bus_port" >"$node_dir/bus-port"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --cluster-enabled yes --cluster-port "$bus_port" --cluster-config-file nodes.conf \
    --cluster-node-timeout 1000 --cluster-replica-validity-factor 0 \
    --pidfile "$node_dir/redis.pid" --dir "$node_dir" --logfile "$node_dir/redis.log" \
    "$@" >/dev/null
  local pid
  for _ in $(seq 1 300); do
    pid=$(cat "$node_dir/redis.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && alive "$pid"; then
      if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null || true)" = "PONG" ]; then
        local pidfile
        pidfile=$(redis-cli -h 127.0.0.1 -p "$port" config get pidfile 2>/dev/null | sed -n 2p)
        [ "$pidfile" = "$node_dir/redis.pid" ] && return 0
      fi
    elif [ -n "$pid" ]; then
      return 1
    fi
    sleep 0.05
  done
  return 1
}

cluster_ok() {
  local port
  for port in "${ports[@]}"; do
    redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q '^cluster_state:ok' ||
      return 1
    # Every node must know all six (a node that has not met the others yet would answer
    # MOVED to an address it cannot give).
    [ "$(redis-cli -h 127.0.0.1 -p "$port" cluster nodes 2>/dev/null | grep -c ' connected')" -ge 6 ] ||
      return 1
    # A replica must have finished its first sync (a write waiting for it would time out).
    local replication
    replication=$(redis-cli -h 127.0.0.1 -p "$port" info replication 2>/dev/null)
    if grep -q '^role:slave' <<<"$replication"; then
      grep -q '^master_link_status:up' <<<"$replication" || return 1
    else
      grep -q '^connected_slaves:1' <<<"$replication" || return 1
    fi
  done
}

case "$verb" in
  start)
    mkdir -p "$dir"
    stop_all
    rm -rf "$dir"/node-* "$dir/ports"
    printf '%s\0' "$@" >"$dir/args"
    taken=()
    ports=()
    for _ in 1 2 3 4 5 6; do
      started=0
      for _ in $(seq 1 20); do
        port=$(pick_port) || break
        taken+=("$port")
        bus_port=$(pick_port) || break
        taken+=("$bus_port")
        if launch_node "$port" "$bus_port" "$@"; then
          ports+=("$port")
          started=1
          break
        fi
      done
      if [ "$started" != 1 ]; then
        echo "redis_cluster_fixture: could not start a node (see $dir/node-*/redis.log)" >&2
        stop_all
        exit 1
      fi
    done
    printf '%s\n' "${ports[@]}" >"$dir/ports"
    addresses=()
    for port in "${ports[@]}"; do addresses+=("127.0.0.1:$port"); done
    if ! redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes \
      >"$dir/create.log" 2>&1; then
      echo "redis_cluster_fixture: cluster create failed (see $dir/create.log)" >&2
      stop_all
      exit 1
    fi
    for _ in $(seq 1 600); do
      if cluster_ok; then exit 0; fi
      sleep 0.1
    done
    echo "redis_cluster_fixture: cluster not ok within 60 s" >&2
    stop_all
    exit 1
    ;;
  restart-node)
    [ $# -ge 1 ] || usage
    port=$1
    node_dir="$dir/node-$port"
    [ -s "$node_dir/bus-port" ] || { echo "redis_cluster_fixture: no node on port $port" >&2; exit 1; }
    args=()
    [ -s "$dir/args" ] && mapfile -d '' args <"$dir/args"
    if ! launch_node "$port" "$(cat "$node_dir/bus-port")" "${args[@]}"; then
      echo "redis_cluster_fixture: node $port did not restart (see $node_dir/redis.log)" >&2
      exit 1
    fi
    ;;
  stop)
    stop_all
    ;;
  *)
    usage
    ;;
esac
