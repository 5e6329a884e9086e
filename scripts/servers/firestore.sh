#!/usr/bin/env bash
# Starts or stops the Firestore emulator that cachekit-firestore tests and benchmarks use, on
# 127.0.0.1:${CACHEKIT_FIRESTORE_PORT:-8700}.
#
# Which emulator:
#   google  Google's Cloud Firestore emulator, the jar that ships with google-cloud-cli's
#           google-cloud-cli-firestore-emulator package (run with java directly, so its pid is the server's).
#           Its apt source cannot be reached from here, so a machine without the jar cannot get it.
#   npm     the third-party emulator @firestore-emulator/server 0.3.15 from the npm registry, installed by
#           this script into a folder of its own (${CACHEKIT_FIRESTORE_NPM_DIR}, kept by stop) and run with node.
# CACHEKIT_FIRESTORE_EMULATOR=auto (default) takes google where the jar is installed, otherwise npm;
# =google or =npm insists on one. Where neither can be had, start fails saying so.
#
# start also writes $RUN_DIR/emulator.command, the command that starts the same emulator on another port
# (line 1: "<kind> <description>", kind google or npm, then one argument per line, {port} standing for the port), so that the
# failure tests can run emulators of their own that they stop, pause and restart.
# State (pid, log, command file) lives under ${CACHEKIT_RUN_DIR:-/tmp/cachekit-servers}/firestore.
#
# Usage: scripts/servers/firestore.sh start|stop|status
set -euo pipefail

BASE_DIR="${CACHEKIT_RUN_DIR:-/tmp/cachekit-servers}"
RUN_DIR="$BASE_DIR/firestore"
NPM_DIR="${CACHEKIT_FIRESTORE_NPM_DIR:-$BASE_DIR/firestore-npm}"
NPM_PACKAGE="@firestore-emulator/server"
NPM_VERSION="0.3.15"
PORT="${CACHEKIT_FIRESTORE_PORT:-8700}"
HOST=127.0.0.1
WANTED="${CACHEKIT_FIRESTORE_EMULATOR:-auto}"
WAIT_SECONDS="${CACHEKIT_FIRESTORE_WAIT_SECONDS:-60}"
WAIT_INTERVAL=0.2
PID_FILE="$RUN_DIR/firestore.pid"
LOG_FILE="$RUN_DIR/firestore.log"
COMMAND_FILE="$RUN_DIR/emulator.command"

# shellcheck source-path=SCRIPTDIR source=../lib/servers.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/servers.sh"

# Prints the path of Google's emulator jar, or fails.
google_jar() {
    local jar
    if [[ -n "${CACHEKIT_FIRESTORE_JAR:-}" ]]; then
        [[ -f "$CACHEKIT_FIRESTORE_JAR" ]] && echo "$CACHEKIT_FIRESTORE_JAR" && return 0
        return 1
    fi
    if command -v dpkg >/dev/null 2>&1; then
        jar="$(dpkg -L google-cloud-cli-firestore-emulator 2>/dev/null | grep 'emulator\.jar$' | head -n 1 || true)"
        [[ -n "$jar" && -f "$jar" ]] && echo "$jar" && return 0
    fi
    for jar in /usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar \
        /usr/share/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar; do
        [[ -f "$jar" ]] && echo "$jar" && return 0
    done
    return 1
}

# The emulator's version from the SDK's component snapshot beside the jar, or "unknown".
google_version() { # jar
    local snapshot
    snapshot="$(dirname "$1")/../../.install/cloud-firestore-emulator.snapshot.json"
    if [[ -f "$snapshot" ]]; then
        grep -o '"version_string": *"[^"]*"' "$snapshot" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/' && return 0
    fi
    echo unknown
}

java_bin() {
    local java
    java="$(command -v java 2>/dev/null)" || return 1
    readlink -f "$java"
}

# Installs the npm emulator into $NPM_DIR when it is not there yet; fails without node and npm.
ensure_npm_emulator() {
    command -v node >/dev/null 2>&1 || return 1
    if ! npm_installed "$NPM_DIR" "$NPM_PACKAGE" "$NPM_VERSION"; then
        command -v npm >/dev/null 2>&1 || return 1
        log "installing $NPM_PACKAGE@$NPM_VERSION with npm into $NPM_DIR"
        npm_install "$NPM_DIR" '{ "private": true, "type": "module" }' "$NPM_PACKAGE@$NPM_VERSION" || {
            log "npm install failed; see $NPM_DIR/npm-install.log"
            return 1
        }
    fi
    # An ES module that starts the emulator on the port given as its first argument.
    cat >"$NPM_DIR/start.mjs" <<'EOF'
import { FirestoreServer } from '@firestore-emulator/server';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: node start.mjs <port>');
  process.exit(2);
}
const server = new FirestoreServer();
// The package binds 0.0.0.0; tests need loopback only.
const bind = server.server.bindAsync.bind(server.server);
server.server.bindAsync = (address, credentials, callback) =>
  bind(address.replace(/^0\.0\.0\.0:/, '127.0.0.1:'), credentials, callback);
await server.start(port);
console.log(`@firestore-emulator/server listening on port ${port}`);
const stop = async () => {
  try { await server.stop(); } finally { process.exit(0); }
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
EOF
}

# Writes $COMMAND_FILE for the emulator to use and prints "<kind> <version>".
choose_emulator() {
    local jar java node
    if [[ "$WANTED" == "auto" || "$WANTED" == "google" ]] && jar="$(google_jar)"; then
        java="$(java_bin)" || die "Google's Firestore emulator is installed ($jar), but no java is on the PATH"
        {
            echo "google Cloud Firestore emulator $(google_version "$jar") (google-cloud-cli, $jar)"
            printf '%s\n' "$java" -Xmx1g -Duser.language=en -cp "$jar" \
                com.google.cloud.datastore.emulator.firestore.CloudFirestore start "--host=$HOST" "--port={port}"
        } >"$COMMAND_FILE"
        head -n 1 "$COMMAND_FILE"
        return 0
    fi
    if [[ "$WANTED" == "google" ]]; then
        die "Google's Firestore emulator is not installed here (no google-cloud-cli-firestore-emulator jar;" \
            "its apt source cannot be reached, so it cannot be installed). Use CACHEKIT_FIRESTORE_EMULATOR=npm or auto."
    fi
    if [[ "$WANTED" == "auto" || "$WANTED" == "npm" ]] && ensure_npm_emulator; then
        node="$(readlink -f "$(command -v node)")"
        {
            echo "npm $NPM_PACKAGE@$NPM_VERSION (node $(node --version))"
            printf '%s\n' "$node" "$NPM_DIR/start.mjs" "{port}"
        } >"$COMMAND_FILE"
        head -n 1 "$COMMAND_FILE"
        return 0
    fi
    [[ "$WANTED" == "auto" || "$WANTED" == "npm" ]] ||
        die "CACHEKIT_FIRESTORE_EMULATOR must be auto, google or npm, got '$WANTED'"
    die "no Firestore emulator can be had on this machine: Google's emulator jar is not installed" \
        "(google-cloud-cli-firestore-emulator, which cannot be installed here) and $NPM_PACKAGE@$NPM_VERSION" \
        "could not be installed or run (node and npm are needed; see $NPM_DIR/npm-install.log)"
}

# Whether the emulator answers: Google's says "Ok" on GET /; the npm one only speaks gRPC, so an open port.
answers() { # port, kind
    if [[ "$2" == google ]]; then
        local reply
        reply="$( (exec 3<>"/dev/tcp/$HOST/$1" && printf 'GET / HTTP/1.0\r\nHost: %s\r\n\r\n' "$HOST" >&3 &&
            timeout 2 cat <&3) 2>/dev/null || true)"
        [[ "$reply" == *Ok* ]]
    else
        port_open "$1"
    fi
}

start() {
    mkdir -p "$RUN_DIR"
    local chosen kind
    if pid_alive "$PID_FILE" && [[ -f "$COMMAND_FILE" ]] && answers "$PORT" "$(head -n 1 "$COMMAND_FILE" | cut -d' ' -f1)"; then
        log "already running: $(head -n 1 "$COMMAND_FILE") on $HOST:$PORT (pid $(cat "$PID_FILE"))"
        return
    fi
    if port_open "$PORT"; then
        die "port $PORT already accepts connections but is not an emulator of this script; stop it or set CACHEKIT_FIRESTORE_PORT"
    fi
    chosen="$(choose_emulator)"
    kind="${chosen%% *}"
    local args=() line
    while IFS= read -r line; do
        args+=("${line//\{port\}/$PORT}")
    done < <(tail -n +2 "$COMMAND_FILE")
    start_daemon "$PID_FILE" "$LOG_FILE" "${args[@]}"
    if ! wait_until answers "$PORT" "$kind"; then
        pid_alive "$PID_FILE" && kill "$(cat "$PID_FILE")" 2>/dev/null || true
        die "the $chosen emulator does not answer on $HOST:$PORT after ${WAIT_SECONDS}s; see $LOG_FILE"
    fi
    log "using $chosen, on $HOST:$PORT (pid $(cat "$PID_FILE"); log and state under $RUN_DIR)"
}

stop() {
    stop_pid "$PID_FILE" emulator
    rm -rf "$RUN_DIR"
    log "stopped"
}

status() {
    if pid_alive "$PID_FILE" && [[ -f "$COMMAND_FILE" ]] && answers "$PORT" "$(head -n 1 "$COMMAND_FILE" | cut -d' ' -f1)"; then
        log "$(head -n 1 "$COMMAND_FILE") answers on $HOST:$PORT (pid $(cat "$PID_FILE"))"
        return 0
    fi
    log "no emulator of this script answers on $HOST:$PORT"
    return 1
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) die "usage: $0 start|stop|status" ;;
esac
