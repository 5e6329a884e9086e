#!/usr/bin/env bash
# Starts or stops the MongoDB wire-protocol server of the mongodb benchmark group: mongo-java-server (in memory;
# no real mongod can be installed on the build machines) in a JVM of its own, on
# 127.0.0.1:${CACHEKIT_MONGODB_PORT:-27117}, from the benchmarks jar (${CACHEKIT_BENCH_JAR:-
# cachekit-benchmarks/target/benchmarks.jar}, built by scripts/bench.sh). It lives outside scripts/servers/
# because the tests do not use it (each MongoDB test class starts a server of its own) and the jar does not
# exist before the build. Run state (pid, log) lives under ${CACHEKIT_RUN_DIR:-/tmp/cachekit-servers}/mongodb.
# Both commands are idempotent.
#
# Usage: scripts/bench-servers/mongodb.sh start|stop|status
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="${CACHEKIT_BENCH_JAR:-$ROOT/cachekit-benchmarks/target/benchmarks.jar}"
RUN_DIR="${CACHEKIT_RUN_DIR:-/tmp/cachekit-servers}/mongodb"
PORT="${CACHEKIT_MONGODB_PORT:-27117}"
HOST=127.0.0.1
WAIT_SECONDS="${CACHEKIT_MONGODB_WAIT_SECONDS:-30}"
PID_FILE="$RUN_DIR/mongo-java-server.pid"
LOG_FILE="$RUN_DIR/mongo-java-server.log"

# shellcheck source-path=SCRIPTDIR source=../lib/servers.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/servers.sh"

answers() { # port: the server speaks MongoDB's wire protocol; an open port is the sign
    port_open "$1"
}

start() {
    mkdir -p "$RUN_DIR"
    if ours_answers "$PID_FILE" "$PORT" CACHEKIT_MONGODB_PORT; then
        log "mongo-java-server already runs on $HOST:$PORT (pid $(cat "$PID_FILE"))"
        return
    fi
    [[ -f $JAR ]] || die "$JAR is missing; build it with: mvn -B -Pbench -pl cachekit-benchmarks -am package -DskipTests"
    start_daemon "$PID_FILE" "$LOG_FILE" \
        java -Xms1g -Xmx1g -cp "$JAR" io.cachekit.benchmarks.mongodb.WireProtocolServer "$PORT"
    if ! wait_until answers "$PORT"; then
        pid_alive "$PID_FILE" || die "mongo-java-server exited at start; see $LOG_FILE"
        die "mongo-java-server does not answer on $HOST:$PORT after ${WAIT_SECONDS}s; see $LOG_FILE"
    fi
    log "mongo-java-server on mongodb://$HOST:$PORT, in memory (pid $(cat "$PID_FILE"), log $LOG_FILE)"
}

stop() {
    stop_pid "$PID_FILE" mongo-java-server
    rm -rf "$RUN_DIR"
    log "stopped"
}

status() {
    if pid_alive "$PID_FILE" && answers "$PORT"; then
        log "mongo-java-server answers on $HOST:$PORT (pid $(cat "$PID_FILE"))"
    else
        log "mongo-java-server does not answer on $HOST:$PORT"
        return 1
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) die "usage: $0 start|stop|status" ;;
esac
