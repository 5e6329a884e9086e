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

log() { printf 'redis.sh: %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

ensure_installed() {
    # openssl makes the certificate of cachekit-redis's TLS test.
    if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 &&
        command -v openssl >/dev/null 2>&1; then
        return
    fi
    command -v apt-get >/dev/null 2>&1 || die "redis-server is missing and apt-get is not available to install it"
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "redis-server is missing; installing it needs root (or sudo)"
        sudo=(sudo)
    fi
    log "installing redis-server and openssl with apt-get"
    "${sudo[@]}" apt-get update -qq >"$RUN_DIR/apt.log" 2>&1 || die "apt-get update failed; see $RUN_DIR/apt.log"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq redis-server openssl >>"$RUN_DIR/apt.log" 2>&1 ||
        die "apt-get install redis-server openssl failed; see $RUN_DIR/apt.log"
    command -v redis-server >/dev/null 2>&1 || die "redis-server is still missing after apt-get install"
}

answers() { # port
    [[ "$(redis-cli -h "$HOST" -p "$1" ping 2>/dev/null)" == "PONG" ]]
}

wait_until() { # description, command...
    local what="$1"
    shift
    local deadline=$((SECONDS + WAIT_SECONDS))
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

port_taken_by_other() { # port, dir: something answers on the port but is not our server
    local pidfile="$2/redis.pid"
    answers "$1" && { [[ ! -f "$pidfile" ]] || ! kill -0 "$(cat "$pidfile")" 2>/dev/null; }
}

start_server() { # port, dir, extra args...
    local port="$1" dir="$2"
    shift 2
    mkdir -p "$dir"
    if [[ -f "$dir/redis.pid" ]] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null && answers "$port"; then
        return
    fi
    if port_taken_by_other "$port" "$dir"; then
        die "port $port already answers but is not a server of this script; stop it or set CACHEKIT_REDIS_PORT / CACHEKIT_REDIS_CLUSTER_PORTS"
    fi
    (cd "$dir" && redis-server --daemonize yes --bind "$HOST" --port "$port" --dir "$dir" \
        --save '' --appendonly no --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" "$@") ||
        die "redis-server on port $port did not start; see $dir/redis.log"
    wait_until "port $port" answers "$port" ||
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
    wait_until "cluster" cluster_ok ||
        die "cluster on ports ${CLUSTER_PORTS[*]} did not reach cluster_state:ok after ${WAIT_SECONDS}s"
    log "standalone on $HOST:$STANDALONE_PORT, cluster on ${nodes[*]} (state under $RUN_DIR)"
}

stop_server() { # port, dir
    local port="$1" dir="$2" pid
    [[ -f "$dir/redis.pid" ]] || return 0
    pid="$(cat "$dir/redis.pid")"
    if kill -0 "$pid" 2>/dev/null; then
        redis-cli -h "$HOST" -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
        if ! wait_until "pid $pid" bash -c "! kill -0 $pid 2>/dev/null"; then
            log "redis-server pid $pid on port $port did not stop; killing it"
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
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
    local port rc=0
    for port in "$STANDALONE_PORT" "${CLUSTER_PORTS[@]}"; do
        if answers "$port"; then log "$HOST:$port answers"; else log "$HOST:$port does not answer" && rc=1; fi
    done
    if cluster_ok; then log "cluster_state:ok"; else log "cluster is not ok" && rc=1; fi
    return "$rc"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) die "usage: $0 start|stop|status" ;;
esac
