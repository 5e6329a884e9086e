#!/usr/bin/env bash
# Starts or stops the Redis servers that cachekit-redis tests and benchmarks use, all on loopback:
#   a standalone server on 127.0.0.1:${CACHEKIT_REDIS_PORT:-6390}
#   a three-master Cluster on 127.0.0.1:${CACHEKIT_REDIS_CLUSTER_PORTS:-7101 7102 7103}
# Installs redis-server (and openssl, for the TLS test's certificate) with apt-get when missing. Both commands are idempotent.
# State (pid, log and cluster files) lives under ${CACHEKIT_RUN_DIR:-/tmp/cachekit-servers}/redis.
#
# Usage: scripts/servers/redis.sh start|stop|status
set -euo pipefail

RUN_DIR="${CACHEKIT_RUN_DIR:-/tmp/cachekit-servers}/redis"
STANDALONE_PORT="${CACHEKIT_REDIS_PORT:-6390}"
read -r -a CLUSTER_PORTS <<<"${CACHEKIT_REDIS_CLUSTER_PORTS:-7101 7102 7103}"
HOST=127.0.0.1
WAIT_SECONDS="${CACHEKIT_REDIS_WAIT_SECONDS:-30}"

# shellcheck source-path=SCRIPTDIR source=../lib/servers.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/servers.sh"

ensure_installed() {
    # openssl makes the certificate of cachekit-redis's TLS test.
    have_commands redis-server redis-cli openssl || apt_install "$RUN_DIR/apt.log" redis-server openssl
}

answers() { # port
    [[ "$(redis-cli -h "$HOST" -p "$1" ping 2>/dev/null)" == "PONG" ]]
}

start_server() { # port, dir, extra args...
    local port="$1" dir="$2"
    shift 2
    mkdir -p "$dir"
    ours_answers "$dir/redis.pid" "$port" "CACHEKIT_REDIS_PORT / CACHEKIT_REDIS_CLUSTER_PORTS" && return
    (cd "$dir" && redis-server --daemonize yes --bind "$HOST" --port "$port" --dir "$dir" \
        --save '' --appendonly no --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" "$@") ||
        die "redis-server on port $port did not start; see $dir/redis.log"
    wait_until answers "$port" ||
        die "redis-server on port $port does not answer after ${WAIT_SECONDS}s; see $dir/redis.log"
}

cluster_ok() {
    local port
    for port in "${CLUSTER_PORTS[@]}"; do
        redis-cli -h "$HOST" -p "$port" cluster info 2>/dev/null | grep -q '^cluster_state:ok' || return 1
    done
}

cluster_assigned() { # whether every slot is already assigned, so the cluster was created before
    redis-cli -h "$HOST" -p "${CLUSTER_PORTS[0]}" cluster info 2>/dev/null | grep -q '^cluster_slots_assigned:16384'
}

start() {
    mkdir -p "$RUN_DIR"
    ensure_installed
    start_server "$STANDALONE_PORT" "$RUN_DIR/$STANDALONE_PORT"
    local port nodes=()
    for port in "${CLUSTER_PORTS[@]}"; do
        start_server "$port" "$RUN_DIR/$port" --cluster-enabled yes \
            --cluster-config-file "$RUN_DIR/$port/nodes.conf" --cluster-node-timeout 5000
        nodes+=("$HOST:$port")
    done
    if ! cluster_assigned; then
        redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$RUN_DIR/cluster-create.log" 2>&1 ||
            die "redis-cli --cluster create failed; see $RUN_DIR/cluster-create.log"
    fi
    wait_until cluster_ok ||
        die "cluster on ports ${CLUSTER_PORTS[*]} did not reach cluster_state:ok after ${WAIT_SECONDS}s"
    log "standalone on $HOST:$STANDALONE_PORT, cluster on ${nodes[*]} (state under $RUN_DIR)"
}

stop_server() { # port, dir
    if pid_alive "$2/redis.pid"; then
        redis-cli -h "$HOST" -p "$1" shutdown nosave >/dev/null 2>&1 || true
    fi
    stop_pid "$2/redis.pid" redis-server "on port $1"
}

stop() {
    local port
    for port in "$STANDALONE_PORT" "${CLUSTER_PORTS[@]}"; do
        stop_server "$port" "$RUN_DIR/$port"
    done
    rm -rf "$RUN_DIR"
    log "stopped"
}

status() {
    local rc=0
    report_ports "$STANDALONE_PORT" "${CLUSTER_PORTS[@]}" || rc=1
    if cluster_ok; then log "cluster_state:ok"; else log "cluster is not ok" && rc=1; fi
    return "$rc"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) die "usage: $0 start|stop|status" ;;
esac
