#!/usr/bin/env bash
# Runs Cachekit's JMH benchmarks and writes docs/benchmarks.md.
#
# Usage: scripts/bench.sh [GROUP...]      GROUP: memory (the default), redis, postgres, or all
#
# A group is a package of cachekit-benchmarks, io.cachekit.benchmarks.GROUP; each group runs in one JMH
# invocation. Its results are kept in docs/benchmarks/GROUP.json, and docs/benchmarks.md is rendered from
# every group kept there, so groups run at different times end up on one page.
#
# The redis and postgres groups need their servers: when scripts/servers/GROUP.sh exists and its server is
# not already answering, it is started before the group and stopped after it. A server that was already
# running is used and left running.
#
# Environment:
#   BENCH_JMH_ARGS    extra JMH options, e.g. "-f 1 -wi 1 -i 1" for a quick look; recorded on the page
#   BENCH_NOTE        a note for the page about this run, e.g. what else was running on the machine
#   BENCH_SKIP_BUILD  1 to reuse cachekit-benchmarks/target/benchmarks.jar instead of building it
#   BENCH_LOCK_WAIT_SECONDS  how long to wait while another JMH run holds JMH's lock (default 1800)
set -euo pipefail

cd "$(dirname "$0")/.."

JAR=cachekit-benchmarks/target/benchmarks.jar
RESULTS_DIR=docs/benchmarks
PAGE=docs/benchmarks.md
REPORT=io.cachekit.benchmarks.report.BenchmarkReport
LOCK_WAIT_SECONDS="${BENCH_LOCK_WAIT_SECONDS:-1800}"

log() { printf 'bench.sh: %s\n' "$*" >&2; }
shell_words() { # the arguments as one command line a person can paste: single quotes where needed
    local word line=""
    for word in "$@"; do
        if [[ ! $word =~ ^[A-Za-z0-9_./=:,+@%-]+$ ]]; then
            word="'${word//\'/\'\\\'\'}'"
        fi
        line+="${line:+ }$word"
    done
    printf '%s' "$line"
}
die() {
    log "ERROR: $*"
    exit 1
}

groups=("$@")
((${#groups[@]})) || groups=(memory)
if [[ " ${groups[*]} " == *" all "* ]]; then
    groups=(memory redis postgres)
fi
for group in "${groups[@]}"; do
    [[ $group =~ ^[a-z][a-z0-9-]*$ ]] || die "a group is a package name such as memory, redis or postgres; got '$group'"
done

command -v java >/dev/null 2>&1 || die "java is not on the PATH"
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
    command -v mvn >/dev/null 2>&1 || die "mvn is not on the PATH"
    log "building cachekit-benchmarks"
    mvn -q -Pbench -pl cachekit-benchmarks -am package -DskipTests
fi
[[ -f $JAR ]] || die "$JAR is missing; build it without BENCH_SKIP_BUILD"

revision=$(git describe --always --dirty 2>/dev/null || echo unknown)
read -r -a extra_jmh_args <<<"${BENCH_JMH_ARGS:-}"

started_server=""
stop_started_server() {
    if [[ -n $started_server ]]; then
        bash "scripts/servers/$started_server.sh" stop || log "could not stop the $started_server server"
        started_server=""
    fi
}
trap stop_started_server EXIT

ran=0
for group in "${groups[@]}"; do
    regex="io\\.cachekit\\.benchmarks\\.$group\\."
    listed=$(java -jar "$JAR" -l "$regex")
    if ! grep -q "^io\\.cachekit\\.benchmarks\\.$group\\." <<<"$listed"; then
        log "no benchmarks in group '$group' (package io.cachekit.benchmarks.$group): skipped"
        continue
    fi

    server="scripts/servers/$group.sh"
    if [[ -f $server ]]; then
        if bash "$server" status >/dev/null 2>&1; then
            log "the $group server already answers: using it, and leaving it running"
        else
            bash "$server" start
            started_server=$group
        fi
    fi

    results="cachekit-benchmarks/target/jmh-$group.json"
    jmh_log="cachekit-benchmarks/target/jmh-$group.log"
    jmh=(java -jar "$JAR" "$regex" -foe true "${extra_jmh_args[@]}" -rf json -rff "$results")
    command_line="scripts/bench.sh $group"
    if [[ -n ${BENCH_JMH_ARGS:-} ]]; then
        command_line="BENCH_JMH_ARGS='$BENCH_JMH_ARGS' $command_line"
    fi
    load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)

    log "running group $group: ${jmh[*]}"
    rm -f "$results"
    # JMH refuses to start while another JMH run holds its lock: two runs on one machine spoil each other's
    # numbers. Wait for the other run instead of failing.
    waited=0
    until "${jmh[@]}" 2>&1 | tee "$jmh_log"; test "${PIPESTATUS[0]}" -eq 0; do
        grep -q 'Unable to acquire the JMH lock' "$jmh_log" || die "JMH failed for group $group"
        ((waited < LOCK_WAIT_SECONDS)) || die "another JMH run held the JMH lock for ${LOCK_WAIT_SECONDS}s"
        log "another JMH run holds the JMH lock; waiting for it"
        sleep 15
        waited=$((waited + 15))
    done

    java -cp "$JAR" "$REPORT" record \
        --group "$group" \
        --results "$results" \
        --dir "$RESULTS_DIR" \
        --command "$command_line" \
        --jmh-command "$(shell_words "${jmh[@]}")" \
        --revision "$revision" \
        --note "${BENCH_NOTE:-}" \
        --load-before "$load_before"
    ran=$((ran + 1))
    stop_started_server
done

((ran > 0)) || die "no group had benchmarks to run: ${groups[*]}"
java -cp "$JAR" "$REPORT" render --dir "$RESULTS_DIR" --page "$PAGE"
