# shellcheck shell=bash
# Shell functions the Redis test fixtures share (sourced by redis_fixture.sh and
# redis_cluster_fixture.sh).

# Is process $1 alive? A zombie is not: a daemonized server's parent is init, which may take a
# while to reap it.
alive() {
  [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}

# Is anything listening on 127.0.0.1:$1?
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Stops the redis-server whose pid is in $1/redis.pid (SIGTERM, then SIGKILL after 15 s) and
# removes the pid file. Nothing to do when there is none.
stop_server_in() {
  local server_dir=$1 pid
  [ -s "$server_dir/redis.pid" ] || return 0
  pid=$(cat "$server_dir/redis.pid")
  kill "$pid" 2>/dev/null || { rm -f "$server_dir/redis.pid"; return 0; }
  for _ in $(seq 1 300); do
    alive "$pid" || { rm -f "$server_dir/redis.pid"; return 0; }
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$server_dir/redis.pid"
}
