#!/usr/bin/env bash
# Starts or stops the memcached servers that cachekit-memcached tests and benchmarks use, on loopback:
#   127.0.0.1:${CACHEKIT_MEMCACHED_PORTS:-11311 11312} (two servers, so that keys spread over both)
# Installs memcached with apt-get when missing. Both commands are idempotent. memcached refuses to run as
# root without -u, so as root the servers run as ${CACHEKIT_MEMCACHED_USER:-nobody}, with their pid files in a
# folder that user owns. State (pid and log files) lives under ${CACHEKIT_RUN_DIR:-/tmp/cachekit-servers}/memcached.
# (The failure test starts servers of its own, on ports 11313-11315, from the test JVM.)
#
# Usage: scripts/servers/memcached.sh start|stop|status
set -euo pipefail

RUN_DIR="${CACHEKIT_RUN_DIR:-/tmp/cachekit-servers}/memcached"
read -r -a PORTS <<<"${CACHEKIT_MEMCACHED_PORTS:-11311 11312}"
HOST=127.0.0.1
RUN_AS="${CACHEKIT_MEMCACHED_USER:-nobody}"
MEMORY_MB="${CACHEKIT_MEMCACHED_MEMORY_MB:-64}"
WAIT_SECONDS="${CACHEKIT_MEMCACHED_WAIT_SECONDS:-30}"

log() { printf 'memcached.sh: %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

ensure_installed() {
    if command -v memcached >/dev/null 2>&1; then
        return
    fi
    command -v apt-get >/dev/null 2>&1 || die "memcached is missing and apt-get is not available to install it"
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "memcached is missing; installing it needs root (or sudo)"
        sudo=(sudo)
    fi
    log "installing memcached with apt-get"
    "${sudo[@]}" apt-get update -qq >"$RUN_DIR/apt.log" 2>&1 || die "apt-get update failed; see $RUN_DIR/apt.log"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq memcached >>"$RUN_DIR/apt.log" 2>&1 ||
        die "apt-get install memcached failed; see $RUN_DIR/apt.log"
    command -v memcached >/dev/null 2>&1 || die "memcached is still missing after apt-get install"
}

answers() { # port: whether a memcached answers "version" on it
    local reply=""
    {
        exec 3<>"/dev/tcp/$HOST/$1"
        printf 'version\r\n' >&3
        IFS= read -r -t 2 reply <&3 || true
        exec 3>&- 3<&-
    } 2>/dev/null || return 1
    [[ "$reply" == VERSION* ]]
}

wait_until() { # command...
    local deadline=$((SECONDS + WAIT_SECONDS))
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

ours_running() { # dir: whether the pid file names a live process
    [[ -f "$1/memcached.pid" ]] && kill -0 "$(cat "$1/memcached.pid")" 2>/dev/null
}

start_server() { # port, dir
    local port="$1" dir="$2" user_args=()
    if ours_running "$dir" && answers "$port"; then
        return
    fi
    if answers "$port"; then
        die "port $port already answers but is not a server of this script; stop it or set CACHEKIT_MEMCACHED_PORTS"
    fi
    mkdir -p "$dir"
    rm -f "$dir/memcached.pid"
    if [[ $(id -u) -eq 0 ]]; then
        id "$RUN_AS" >/dev/null 2>&1 || die "user $RUN_AS does not exist; set CACHEKIT_MEMCACHED_USER"
        chown "$RUN_AS" "$dir"
        user_args=(-u "$RUN_AS")
    fi
    memcached -d "${user_args[@]}" -l "$HOST" -p "$port" -U 0 -m "$MEMORY_MB" -P "$dir/memcached.pid" \
        >"$dir/memcached.log" 2>&1 || die "memcached on port $port did not start; see $dir/memcached.log"
    wait_until answers "$port" ||
        die "memcached on port $port does not answer after ${WAIT_SECONDS}s; see $dir/memcached.log"
}

start() {
    mkdir -p "$RUN_DIR"
    ensure_installed
    local port
    for port in "${PORTS[@]}"; do
        start_server "$port" "$RUN_DIR/$port"
    done
    log "memcached $(memcached -V | awk '{print $2}') on ${PORTS[*]/#/$HOST:} (state under $RUN_DIR)"
}

stop_server() { # port, dir
    local port="$1" dir="$2" pid
    [[ -f "$dir/memcached.pid" ]] || return 0
    pid="$(cat "$dir/memcached.pid")"
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        if ! wait_until bash -c "! kill -0 $pid 2>/dev/null"; then
            log "memcached pid $pid on port $port did not stop; killing it"
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
}

stop() {
    local port
    for port in "${PORTS[@]}"; do
        stop_server "$port" "$RUN_DIR/$port"
    done
    rm -rf "$RUN_DIR"
    log "stopped"
}

status() {
    local port rc=0
    for port in "${PORTS[@]}"; do
        if answers "$port"; then log "$HOST:$port answers"; else log "$HOST:$port does not answer" && rc=1; fi
    done
    return "$rc"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) die "usage: $0 start|stop|status" ;;
esac
