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

# shellcheck source-path=SCRIPTDIR source=../lib/servers.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/servers.sh"

installed() {
    [[ -f "$INSTALL_DIR/node_modules/dynalite/cli.js" ]] && npm_installed "$INSTALL_DIR" dynalite "$DYNALITE_VERSION"
}

ensure_installed() {
    command -v node >/dev/null 2>&1 || die "node is not on the PATH; install Node.js 18+ (with npm) to run dynalite"
    if installed; then
        return
    fi
    command -v npm >/dev/null 2>&1 || die "npm is not on the PATH; install it (Debian: apt-get install -y npm) to install dynalite"
    log "installing dynalite $DYNALITE_VERSION with npm into $INSTALL_DIR"
    npm_install "$INSTALL_DIR" '{ "name": "cachekit-dynalite", "private": true }' "dynalite@$DYNALITE_VERSION" ||
        die "npm install dynalite@$DYNALITE_VERSION failed; see $INSTALL_DIR/npm-install.log"
    installed || die "dynalite is still missing in $INSTALL_DIR after npm install; see $INSTALL_DIR/npm-install.log"
}

answers() { # port: dynalite speaks HTTP; an open port is the sign
    port_open "$1"
}

start() {
    mkdir -p "$RUN_DIR"
    ensure_installed
    if ours_answers "$PID_FILE" "$PORT" CACHEKIT_DYNAMODB_PORT; then
        log "dynalite already runs on $HOST:$PORT (pid $(cat "$PID_FILE"))"
        return
    fi
    start_daemon "$PID_FILE" "$LOG_FILE" \
        node "$INSTALL_DIR/node_modules/dynalite/cli.js" --host "$HOST" --port "$PORT" --createTableMs 50
    if ! wait_until answers "$PORT"; then
        pid_alive "$PID_FILE" || die "dynalite exited at start; see $LOG_FILE"
        die "dynalite does not answer on $HOST:$PORT after ${WAIT_SECONDS}s; see $LOG_FILE"
    fi
    log "dynalite $DYNALITE_VERSION on http://$HOST:$PORT, in memory (pid $(cat "$PID_FILE"), log $LOG_FILE)"
}

stop() {
    stop_pid "$PID_FILE" dynalite
    rm -rf "$RUN_DIR"
    log "stopped (dynalite stays installed in $INSTALL_DIR)"
}

status() {
    if pid_alive "$PID_FILE" && answers "$PORT"; then
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
