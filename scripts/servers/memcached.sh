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

# shellcheck source-path=SCRIPTDIR source=../lib/servers.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/servers.sh"

ensure_installed() {
    have_commands memcached || apt_install "$RUN_DIR/apt.log" memcached
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

start_server() { # port, dir
    local port="$1" dir="$2" user_args=()
    ours_answers "$dir/memcached.pid" "$port" CACHEKIT_MEMCACHED_PORTS && return
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
    stop_pid "$2/memcached.pid" memcached "on port $1"
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
    report_ports "${PORTS[@]}"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) die "usage: $0 start|stop|status" ;;
esac
