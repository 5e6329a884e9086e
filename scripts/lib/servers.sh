# shellcheck shell=bash
# Shared by the server scripts in scripts/servers/ and scripts/bench-servers/: logging, waiting, pid files, and
# installing with apt-get or npm. Sourced, never run: it lives outside scripts/servers/ so that scripts/test.sh,
# which runs every scripts/servers/*.sh, does not take it for a server.
#
# A script that sources it sets HOST (the loopback address its servers listen on) and WAIT_SECONDS (how long a
# wait may take), and WAIT_INTERVAL (seconds between two tries; 0.1 unless set) where it needs another. Messages
# go to standard error, each starting with the script's name.

SERVER_SCRIPT="$(basename "$0")"

log() { printf '%s: %s\n' "$SERVER_SCRIPT" "$*" >&2; }

die() {
    log "ERROR: $*"
    exit 1
}

# Runs the command until it succeeds; fails once WAIT_SECONDS have passed.
wait_until() { # command...
    local deadline=$((SECONDS + WAIT_SECONDS))
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep "${WAIT_INTERVAL:-0.1}"
    done
}

# Whether something accepts TCP connections on $HOST:port.
port_open() { # port
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# Dies, saying the port is taken by a server this script did not start and which setting moves ours.
die_port_taken() { # port, setting
    die "port $1 already answers but is not a server of this script; stop it or set $2"
}

# Whether the server of the pid file runs and answers on the port (by the script's own answers function); dies
# when something else answers there.
ours_answers() { # pid file, port, setting that moves ours
    if pid_alive "$1" && answers "$2"; then
        return 0
    fi
    if answers "$2"; then
        die_port_taken "$2" "$3"
    fi
    return 1
}

# Logs whether each port answers, by the script's own answers function; fails when one does not.
report_ports() { # port...
    local port rc=0
    for port; do
        if answers "$port"; then log "$HOST:$port answers"; else log "$HOST:$port does not answer" && rc=1; fi
    done
    return "$rc"
}

# Whether the pid file names a live process.
pid_alive() { # pid file
    [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

# Runs the command in the background in a session of its own, so that it outlives the script and signals sent
# to the script's process group do not reach it; appends its output to the log and writes its pid to the file.
start_daemon() { # pid file, log file, command...
    local pid_file="$1" log_file="$2"
    shift 2
    setsid "$@" >>"$log_file" 2>&1 </dev/null &
    echo $! >"$pid_file"
}

# Stops the process the pid file names, if it runs: SIGCONT (a paused process would not act on what follows),
# SIGTERM, and SIGKILL when it has not ended after WAIT_SECONDS. "what" and "where" name it in the message.
stop_pid() { # pid file, what, [where]
    local pid
    pid_alive "$1" || return 0
    pid="$(cat "$1")"
    kill -CONT "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    if ! wait_until bash -c "! kill -0 $pid 2>/dev/null"; then
        log "$2 pid $pid${3:+ $3} did not stop; killing it"
        kill -9 "$pid" 2>/dev/null || true
    fi
}

# Whether every command is on the PATH.
have_commands() { # command...
    local command
    for command; do
        command -v "$command" >/dev/null 2>&1 || return 1
    done
}

# Installs Debian packages with apt-get (through sudo when not root), its output in the log file; dies when that
# fails. The first package names what is missing in the messages, and must be a command once installed.
apt_install() { # log file, package...
    local apt_log="$1" what="$2" sudo=() listed package
    shift
    command -v apt-get >/dev/null 2>&1 || die "$what is missing and apt-get is not available to install it"
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "$what is missing; installing it needs root (or sudo)"
        sudo=(sudo)
    fi
    listed="$1"
    for package in "${@:2}"; do
        listed+=" and $package"
    done
    log "installing $listed with apt-get"
    "${sudo[@]}" apt-get update -qq >"$apt_log" 2>&1 || die "apt-get update failed; see $apt_log"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >>"$apt_log" 2>&1 ||
        die "apt-get install $* failed; see $apt_log"
    command -v "$what" >/dev/null 2>&1 || die "$what is still missing after apt-get install"
}

# Whether the npm package of that version is installed in the folder.
npm_installed() { # folder, package, version
    grep -q "\"version\": *\"$3\"" "$1/node_modules/$2/package.json" 2>/dev/null
}

# Installs package@version with npm into the folder (writing a package.json first when it has none), its output
# in npm-install.log there; fails as npm does.
npm_install() { # folder, package.json text, package@version
    mkdir -p "$1"
    [[ -f "$1/package.json" ]] || printf '%s\n' "$2" >"$1/package.json"
    (cd "$1" && npm install --no-audit --no-fund --loglevel=error "$3") >"$1/npm-install.log" 2>&1
}
