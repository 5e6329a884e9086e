#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL server for Cachekit's tests and benchmarks.
#
#   scripts/servers/postgres.sh start   install PostgreSQL if absent, create a cluster, start it, create db cachekit
#   scripts/servers/postgres.sh halt    shut the server down, keeping its data (start brings it back)
#   scripts/servers/postgres.sh pause   SIGSTOP the server processes (they keep connections, answer nothing)
#   scripts/servers/postgres.sh resume  SIGCONT them
#   scripts/servers/postgres.sh stop    shut the server down and remove its data
#   scripts/servers/postgres.sh status  exit 0 when the server answers
#
# Environment:
#   CACHEKIT_RUN_DIR       parent folder of all server state (default /tmp/cachekit-servers)
#   CACHEKIT_PG_PORT       loopback port (default 5433)
#   CACHEKIT_PG_NAME       folder name of this cluster under CACHEKIT_RUN_DIR (default postgres), so a
#                          second cluster on another port can run beside the first
#
# The cluster listens on 127.0.0.1 only, trusts local connections (user postgres, no password) and runs
# with fsync=off: it is for tests, never for data anyone needs. Every command is idempotent.
set -euo pipefail

RUN_DIR="${CACHEKIT_RUN_DIR:-/tmp/cachekit-servers}"
PORT="${CACHEKIT_PG_PORT:-5433}"
NAME="${CACHEKIT_PG_NAME:-postgres}"
PGDATA_DIR="$RUN_DIR/$NAME"
DB_NAME=cachekit
PG_USER=postgres

# How long a start waits for the server to answer, trying every 0.2 s.
WAIT_SECONDS=30
WAIT_INTERVAL=0.2

# shellcheck source-path=SCRIPTDIR source=../lib/servers.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/servers.sh"

# This script's errors say what failed without lib's "ERROR:" before it.
fail() {
    log "$*"
    exit 1
}

# Runs a command as the postgres user: initdb and the server refuse to run as root.
as_postgres() {
    if [ "$(id -un)" = "$PG_USER" ]; then
        bash -c "$1"
    elif [ "$(id -u)" = "0" ]; then
        su "$PG_USER" -s /bin/bash -c "$1"
    else
        fail "run as root or as the $PG_USER user (running as $(id -un))"
    fi
}

# Prints the folder holding initdb, pg_ctl and pg_isready of the newest installed server package.
find_bin_dir() {
    local candidate dir
    # pg_config from the server's own folder knows its bindir; the one in /usr/bin may be libpq-dev's,
    # which still reports the server folder on Debian.
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    fi
    if command -v dpkg-query >/dev/null 2>&1; then
        for candidate in $(dpkg-query -W -f='${Package}\n' 'postgresql-[0-9]*' 2>/dev/null | sort -V -r); do
            dir="$(dpkg -L "$candidate" 2>/dev/null | grep '/bin/initdb$' | head -n 1 || true)"
            if [ -n "$dir" ]; then
                dir="$(dirname "$dir")"
                if [ -x "$dir/pg_ctl" ]; then
                    echo "$dir"
                    return 0
                fi
            fi
        done
    fi
    return 1
}

ensure_installed() {
    if find_bin_dir >/dev/null; then
        return 0
    fi
    [ "$(id -u)" = "0" ] || fail "PostgreSQL is not installed and installing it needs root"
    command -v apt-get >/dev/null 2>&1 || fail "PostgreSQL is not installed and apt-get is not available"
    log "installing PostgreSQL with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null || fail "apt-get update failed"
    apt-get install -y -q postgresql >/dev/null || fail "apt-get install postgresql failed"
    find_bin_dir >/dev/null || fail "PostgreSQL was installed but its initdb was not found (dpkg -L, pg_config)"
}

is_ready() {
    "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U "$PG_USER" -d postgres
}

server_running() {
    [ -f "$PGDATA_DIR/PG_VERSION" ] && as_postgres "'$BIN/pg_ctl' -D '$PGDATA_DIR' status" >/dev/null 2>&1
}

start() {
    ensure_installed
    BIN="$(find_bin_dir)"
    [ -x "$BIN/pg_isready" ] || fail "pg_isready not found in $BIN"

    if server_running; then
        wait_until is_ready || fail "a server runs in $PGDATA_DIR but does not answer on 127.0.0.1:$PORT"
    else
        if is_ready; then
            fail "port $PORT already answers, but not from a cluster in $PGDATA_DIR; stop that server or set CACHEKIT_PG_PORT"
        fi
        mkdir -p "$RUN_DIR"
        chmod 755 "$RUN_DIR"
        if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
            rm -rf "$PGDATA_DIR"
            install -d -m 700 -o "$PG_USER" -g "$PG_USER" "$PGDATA_DIR" 2>/dev/null || install -d -m 700 "$PGDATA_DIR"
            as_postgres "'$BIN/initdb' -D '$PGDATA_DIR' -U '$PG_USER' -A trust -E UTF8 --no-sync" \
                >"$RUN_DIR/$NAME-initdb.log" 2>&1 \
                || fail "initdb failed; see $RUN_DIR/$NAME-initdb.log"
        fi
        # A stale pid file from a killed server would stop pg_ctl from starting a new one.
        if [ -f "$PGDATA_DIR/postmaster.pid" ]; then
            rm -f "$PGDATA_DIR/postmaster.pid"
        fi
        as_postgres "'$BIN/pg_ctl' -D '$PGDATA_DIR' -l '$PGDATA_DIR/server.log' -w -t 60 start \
            -o \"-c listen_addresses=127.0.0.1 -p $PORT -k '$PGDATA_DIR' -c fsync=off \
                -c synchronous_commit=off -c full_page_writes=off\"" >/dev/null 2>&1 \
            || fail "the server did not start on 127.0.0.1:$PORT; see $PGDATA_DIR/server.log"
        wait_until is_ready || fail "the server started but does not answer on 127.0.0.1:$PORT; see $PGDATA_DIR/server.log"
    fi

    if ! "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U "$PG_USER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
        "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U "$PG_USER" -d postgres -q -c "CREATE DATABASE $DB_NAME" >/dev/null \
            || fail "could not create database $DB_NAME"
    fi
    log "PostgreSQL answers on 127.0.0.1:$PORT (database $DB_NAME, user $PG_USER, data $PGDATA_DIR)"
}

halt() {
    BIN="$(find_bin_dir || true)"
    if [ -n "$BIN" ] && server_running; then
        as_postgres "'$BIN/pg_ctl' -D '$PGDATA_DIR' -m fast -w -t 60 stop" >/dev/null 2>&1 \
            || fail "the server in $PGDATA_DIR did not stop"
    fi
}

stop() {
    halt
    rm -rf "$PGDATA_DIR" "$RUN_DIR/$NAME-initdb.log"
    log "PostgreSQL on port $PORT stopped and its data removed"
}

# SIGSTOP/SIGCONT the postmaster and every server process it forked: a paused server keeps its
# connections and accepts new ones at the TCP level, but answers nothing.
signal_server() { # STOP|CONT
    local pid
    if [ ! -f "$PGDATA_DIR/postmaster.pid" ]; then
        [ "$1" = CONT ] && return 0 # nothing runs, so nothing is paused
        fail "no server runs in $PGDATA_DIR"
    fi
    pid="$(head -n 1 "$PGDATA_DIR/postmaster.pid")"
    # The postmaster first, so it forks no backend while the children are signalled; then the children until
    # every one is in the wanted state: kill returns before the kernel has stopped a process, and a child
    # forked between a listing and the kill would otherwise keep answering.
    kill -"$1" "$pid" || fail "could not send SIG$1 to the server in $PGDATA_DIR"
    local attempt
    for attempt in $(seq 1 100); do
        local pending=0 child state
        for child in $pid $(pgrep -P "$pid" || true); do
            state="$(awk '{print $3}' "/proc/$child/stat" 2>/dev/null || echo gone)"
            if [ "$1" = STOP ] && [ "$state" != T ] && [ "$state" != t ] && [ "$state" != gone ]; then
                kill -STOP "$child" 2>/dev/null || true
                pending=1
            elif [ "$1" = CONT ] && { [ "$state" = T ] || [ "$state" = t ]; }; then
                kill -CONT "$child" 2>/dev/null || true
                pending=1
            fi
        done
        [ "$pending" = 0 ] && return 0
        sleep 0.02
    done
    fail "the processes of the server in $PGDATA_DIR did not all take SIG$1"
}

status() {
    BIN="$(find_bin_dir)" || fail "PostgreSQL is not installed"
    is_ready || fail "nothing answers on 127.0.0.1:$PORT"
}

case "${1:-}" in
    start) start ;;
    halt) halt ;;
    pause) signal_server STOP ;;
    resume) signal_server CONT ;;
    stop) stop ;;
    status) status ;;
    *)
        echo "usage: $0 start|halt|pause|resume|stop|status" >&2
        exit 2
        ;;
esac
