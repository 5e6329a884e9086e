#!/usr/bin/env bash
# Starts or stops the DynamoDB-compatible server that cachekit-dynamodb tests and benchmarks use:
# dynalite (npm, MIT: DynamoDB's API on LevelDB), in memory, on 127.0.0.1:${CACHEKIT_DYNAMODB_PORT:-8600}.
# DynamoDB Local is not used: its licence is not open source.
#
# dynalite is installed with npm (Node.js 18+ and npm must be on the PATH) into
# ${CACHEKIT_CACHE_DIR:-$HOME/.cache/cachekit}/dynalite-4.0.0, and reused from there on later runs; the
# module's failure tests start dynalite processes of their own from that folder. Run state (pid, log) lives
# under ${CACHEKIT_RUN_DIR:-/tmp/cachekit-servers}/dynamodb. Both commands are idempotent.
#
# Usage: scripts/servers/dynamodb.sh start|stop|status|install
set -euo pipefail

DYNALITE_VERSION=4.0.0
INSTALL_DIR="${CACHEKIT_CACHE_DIR:-${HOME:-/root}/.cache/cachekit}/dynalite-$DYNALITE_VERSION"
RUN_DIR="${CACHEKIT_RUN_DIR:-/tmp/cachekit-servers}/dynamodb"
PORT="${CACHEKIT_DYNAMODB_PORT:-8600}"
HOST=127.0.0.1
WAIT_SECONDS="${CACHEKIT_DYNAMODB_WAIT_SECONDS:-30}"
PID_FILE="$RUN_DIR/dynalite.pid"
LOG_FILE="$RUN_DIR/dynalite.log"

log() { printf 'dynamodb.sh: %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

installed() {
    [[ -f "$INSTALL_DIR/node_modules/dynalite/cli.js" ]] &&
        grep -q "\"version\": \"$DYNALITE_VERSION\"" "$INSTALL_DIR/node_modules/dynalite/package.json"
}

ensure_installed() {
    command -v node >/dev/null 2>&1 || die "node is not on the PATH; install Node.js 18+ (with npm) to run dynalite"
    if installed; then
        return
    fi
    command -v npm >/dev/null 2>&1 || die "npm is not on the PATH; install it (Debian: apt-get install -y npm) to install dynalite"
    mkdir -p "$INSTALL_DIR"
    log "installing dynalite $DYNALITE_VERSION with npm into $INSTALL_DIR"
    [[ -f "$INSTALL_DIR/package.json" ]] || printf '{ "name": "cachekit-dynalite", "private": true }\n' >"$INSTALL_DIR/package.json"
    (cd "$INSTALL_DIR" && npm install --no-audit --no-fund --loglevel=error "dynalite@$DYNALITE_VERSION") \
        >"$INSTALL_DIR/npm-install.log" 2>&1 || die "npm install dynalite@$DYNALITE_VERSION failed; see $INSTALL_DIR/npm-install.log"
    installed || die "dynalite is still missing in $INSTALL_DIR after npm install; see $INSTALL_DIR/npm-install.log"
}

port_open() { # port
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

running() {
    [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null
}

wait_until() { # command...
    local deadline=$((SECONDS + WAIT_SECONDS))
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

start() {
    mkdir -p "$RUN_DIR"
    ensure_installed
    if running && port_open "$PORT"; then
        log "dynalite already runs on $HOST:$PORT (pid $(cat "$PID_FILE"))"
        return
    fi
    if port_open "$PORT"; then
        die "port $PORT already answers but is not a server of this script; stop it or set CACHEKIT_DYNAMODB_PORT"
    fi
    nohup node "$INSTALL_DIR/node_modules/dynalite/cli.js" --host "$HOST" --port "$PORT" --createTableMs 50 \
        >>"$LOG_FILE" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
    if ! wait_until port_open "$PORT"; then
        running || die "dynalite exited at start; see $LOG_FILE"
        die "dynalite does not answer on $HOST:$PORT after ${WAIT_SECONDS}s; see $LOG_FILE"
    fi
    log "dynalite $DYNALITE_VERSION on http://$HOST:$PORT, in memory (pid $(cat "$PID_FILE"), log $LOG_FILE)"
}

stop() {
    if running; then
        local pid
        pid="$(cat "$PID_FILE")"
        kill "$pid" 2>/dev/null || true
        if ! wait_until bash -c "! kill -0 $pid 2>/dev/null"; then
            log "dynalite pid $pid did not stop; killing it"
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf "$RUN_DIR"
    log "stopped (dynalite stays installed in $INSTALL_DIR)"
}

status() {
    if running && port_open "$PORT"; then
        log "dynalite answers on $HOST:$PORT (pid $(cat "$PID_FILE"))"
    else
        log "dynalite does not answer on $HOST:$PORT"
        return 1
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    install)
        ensure_installed
        log "dynalite $DYNALITE_VERSION installed in $INSTALL_DIR"
        ;;
    *) die "usage: $0 start|stop|status|install" ;;
esac
