#!/usr/bin/env bash
# Runs Cachekit's JMH benchmarks interleaved and writes docs/benchmarks.md.
#
# Usage: scripts/bench.sh [OPTION...] GROUP...
#   GROUP: memory, redis, postgres, memcached, mongodb, dynamodb, firestore, http, or all (every group, in that
#          order)
#
# Each comparison of a group (a Cachekit row and the rows it is compared with) runs in rounds: every row in a
# JMH fork of its own, one after the other, the order reversed every other round (A B, B A, A B), at each
# thread count. io.cachekit.benchmarks.run.RoundRunner does that and writes docs/benchmarks/GROUP.json; the
# page is rendered from those files, showing only groups that measured the same code as this checkout
# (docs/ aside). A group's servers (scripts/servers/GROUP.sh, or for mongodb scripts/bench-servers/mongodb.sh:
# mongo-java-server in a JVM of its own) are started when they do not answer yet, and stopped after it; a
# server that already answered is used and left running (memory needs none; http starts an embedded Tomcat in
# each fork). The Firestore emulator is restarted before every run of its group: it keeps every write it
# takes, and slowed to 27 ms a set after 25 minutes of the group.
#
# Options:
#   --threads LIST      thread counts of each comparison whose rows do not fix their own (default 1,2; on a
#                       bigger machine e.g. 1,2,4,8)
#   --rounds N          rounds of each comparison (default 3; fewer only with --out)
#   --forks N           JMH forks per run (default 1)
#   --warmup-iterations N, --warmup-time T, --iterations N, --time T
#                       JMH iterations of each run (defaults: 1 warm-up iteration of 1s for memory, 12s for
#                       redis, postgres and memcached, 20s for firestore, 30s for mongodb, dynamodb and
#                       http, so that the JIT has compiled both sides; 2 x 3s measurement for memory,
#                       2 x 2s for the remote groups, 2 x 5s for http, whose four client threads share two
#                       cores with the server)
#   --max-load X        refuse to start while the 1-minute load average is above X (default 1.0)
#   --ignore-load       start whatever the load average (it is still recorded)
#   --note TEXT         a note for the page, e.g. what else ran on the machine
#   --out DIR           write DIR/benchmarks/GROUP.json and DIR/benchmarks.md instead of docs/
#   --smoke             tiny JMH settings (0 warm-up, 1 x 200ms) that prove the pipeline; needs --out
#   --only REGEX        only the comparisons whose id (Class.method) matches; needs --out
#   --rerun-stale       also rerun the groups in docs/benchmarks/ that measured other code
#   --plan              print every run and the time it will take; run nothing
#   --render            only render the page again from the results kept (no GROUP needed)
#
# Results for docs/ need a clean work tree (outside docs/), at least 3 rounds, and the default comparisons.
#
# Environment:
#   BENCH_SKIP_BUILD=1  reuse cachekit-benchmarks/target/benchmarks.jar instead of building it
#   BENCH_LOCK_WAIT_SECONDS  how long a run waits while another JMH run holds JMH's lock (default 1800)
set -euo pipefail

cd "$(dirname "$0")/.."

ALL_GROUPS=(memory redis postgres memcached mongodb dynamodb firestore http)
JAR=cachekit-benchmarks/target/benchmarks.jar
RUNNER=io.cachekit.benchmarks.run.RoundRunner
REPORT=io.cachekit.benchmarks.report.BenchmarkReport

log() { printf 'bench.sh: %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}
usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit "${1:-2}"
}

threads=1,2
rounds=3
forks=1
warmup_iterations=1
warmup_time="" # empty: each group's own default (RoundRunner.defaultWarmupTime)
iterations=2
time="" # empty: each group's own default (RoundRunner.defaultMeasurementTime)
max_load=1.0
ignore_load=0
note=""
out=""
smoke=0
only=""
rerun_stale=0
plan=0
render_only=0
groups=()
command_options=() # the options that change what is measured, for the rerun command on the page

while (($#)); do
    case "$1" in
    --threads | --rounds | --forks | --warmup-iterations | --warmup-time | --iterations | --time | --max-load | --note | --out | --only)
        (($# >= 2)) || die "$1 needs a value"
        case "$1" in
        --threads) threads=$2 ;;
        --rounds) rounds=$2 ;;
        --forks) forks=$2 ;;
        --warmup-iterations) warmup_iterations=$2 ;;
        --warmup-time) warmup_time=$2 ;;
        --iterations) iterations=$2 ;;
        --time) time=$2 ;;
        --max-load) max_load=$2 ;;
        --note) note=$2 ;;
        --out) out=$2 ;;
        --only) only=$2 ;;
        esac
        case "$1" in
        --threads | --rounds | --forks | --warmup-iterations | --warmup-time | --iterations | --time | --only)
            command_options+=("$1" "$2")
            ;;
        esac
        shift 2
        ;;
    --ignore-load) ignore_load=1 && shift ;;
    --smoke) smoke=1 && shift ;;
    --rerun-stale) rerun_stale=1 && shift ;;
    --plan) plan=1 && shift ;;
    --render) render_only=1 && shift ;;
    -h | --help) usage 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) groups+=("$1") && shift ;;
    esac
done

((${#groups[@]} || render_only)) || usage
if [[ " ${groups[*]} " == *" all "* ]]; then
    groups=("${ALL_GROUPS[@]}")
fi
for group in "${groups[@]}"; do
    [[ " ${ALL_GROUPS[*]} " == *" $group "* ]] || die "unknown group '$group'; groups: ${ALL_GROUPS[*]} or all"
done
[[ $threads =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--threads takes a list such as 1,2,4,8; got '$threads'"
[[ $rounds =~ ^[0-9]+$ ]] && ((rounds >= 1)) || die "--rounds takes a positive number; got '$rounds'"
[[ $max_load =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--max-load takes a number; got '$max_load'"
if ((smoke)); then
    warmup_iterations=0
    iterations=1
    time=200ms
    command_options+=(--smoke)
fi

if [[ -z $out ]]; then
    results_dir=docs/benchmarks
    page=docs/benchmarks.md
    ((smoke == 0)) || die "--smoke results never go to docs/: add --out DIR"
    [[ -z $only ]] || die "--only results never go to docs/: add --out DIR"
    ((rounds >= 3)) || die "results for docs/ need at least 3 rounds"
else
    results_dir=$out/benchmarks
    page=$out/benchmarks.md
    case "$(realpath -m "$out")/" in
    "$(realpath -m docs)/"*) die "--out must be outside docs/" ;;
    esac
fi

# ------------------------------------------------------------------ the revision measured

revision=$(git rev-parse --short=12 HEAD 2>/dev/null) || die "not a git checkout: the page names the revision measured"
# The code measured: HEAD's tree without docs/, so that results recorded in later commits that change only
# docs/ still count as the same code.
code_tree=$(git ls-tree HEAD | grep -v $'\tdocs$' | sha1sum | cut -c1-40)
dirty=$(git status --porcelain --untracked-files=no -- . ':(exclude)docs' 2>/dev/null || true)
if [[ -n $dirty ]]; then
    [[ -n $out ]] || die "the work tree has changes outside docs/; commit them first (results for docs/ name a commit):
$dirty"
    revision="$revision-dirty"
    code_tree="$code_tree-dirty"
fi

# ------------------------------------------------------------------ a quiet machine

# Read before the build and the planning JVMs below, which raise the load themselves.
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)
if ((plan == 0 && render_only == 0)) && [[ -n $load_before ]]; then
    load_now=${load_before%% *}
    if awk -v now="$load_now" -v max="$max_load" 'BEGIN { exit !(now > max) }'; then
        if ((ignore_load)); then
            log "load average $load_before is above $max_load; starting anyway (--ignore-load), and recording it"
        else
            die "load average $load_before is above $max_load: other work would spoil the numbers. Wait for a quiet
machine, raise --max-load, or pass --ignore-load (the load is recorded on the page either way)"
        fi
    fi
fi

# ------------------------------------------------------------------ build

command -v java >/dev/null 2>&1 || die "java is not on the PATH"
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
    command -v mvn >/dev/null 2>&1 || die "mvn is not on the PATH"
    log "building cachekit-benchmarks"
    mvn -B -q -Pbench -pl cachekit-benchmarks -am package -DskipTests
fi
[[ -f $JAR ]] || die "$JAR is missing; build it without BENCH_SKIP_BUILD"

if ((render_only)); then
    mkdir -p "$results_dir"
    java -cp "$JAR" "$REPORT" render --dir "$results_dir" --page "$page" --code-tree "$code_tree"
    exit 0
fi

runner_args=(--rounds "$rounds" --threads "$threads" --forks "$forks"
    --warmup-iterations "$warmup_iterations"
    --iterations "$iterations"
    --lock-wait-seconds "${BENCH_LOCK_WAIT_SECONDS:-1800}")
[[ -z $only ]] || runner_args+=(--only "$only")
[[ -z $warmup_time ]] || runner_args+=(--warmup-time "$warmup_time")
[[ -z $time ]] || runner_args+=(--time "$time")

# Groups recorded at other code are not shown on the page; rerun them too when asked.
mkdir -p "$results_dir"
mapfile -t stale < <(java -cp "$JAR" "$REPORT" stale --dir "$results_dir" --code-tree "$code_tree")
if ((${#stale[@]})); then
    if ((rerun_stale)); then
        for group in "${stale[@]}"; do
            [[ " ${groups[*]} " == *" $group "* ]] || groups+=("$group")
        done
    else
        log "not shown on the page until rerun (measured other code): ${stale[*]}; --rerun-stale reruns them"
    fi
fi

total=0
for group in "${groups[@]}"; do
    line=$(java -cp "$JAR" "$RUNNER" --group "$group" "${runner_args[@]}" --plan 2>&1 >/dev/null | head -1)
    log "$line"
    minutes=$(sed -n 's/.*about \([0-9]*\) min.*/\1/p' <<<"$line")
    total=$((total + ${minutes:-0}))
done
log "about $total min in all"
((plan == 0)) || {
    for group in "${groups[@]}"; do
        java -cp "$JAR" "$RUNNER" --group "$group" "${runner_args[@]}" --plan 2>/dev/null
    done
    exit 0
}

# ------------------------------------------------------------------ run

started_server=""
stop_started_server() {
    if [[ -n $started_server ]]; then
        bash "$started_server" stop || log "could not stop the server of $started_server"
        started_server=""
    fi
}
trap stop_started_server EXIT

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

log_dir=cachekit-benchmarks/target/bench-logs
for group in "${groups[@]}"; do
    server="scripts/servers/$group.sh"
    [[ -f $server ]] || server="scripts/bench-servers/$group.sh"
    if [[ -f $server ]]; then
        if bash "$server" status >/dev/null 2>&1; then
            log "the $group server already answers: using it, and leaving it running"
        else
            bash "$server" start
            started_server=$server
        fi
    fi
    group_args=()
    if [[ $group == firestore ]]; then
        group_args=(--before-each-run "bash $server stop && bash $server start")
    fi
    log "running group $group"
    java -cp "$JAR" "$RUNNER" --group "$group" "${runner_args[@]}" "${group_args[@]}" \
        --out "$results_dir/$group.json" \
        --log-dir "$log_dir" \
        --command "$(shell_words scripts/bench.sh "${command_options[@]}" "$group")" \
        --revision "$revision" \
        --code-tree "$code_tree" \
        --note "$note" \
        --load-before "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)" ||
        die "group $group failed; JMH's output is in $log_dir"
    stop_started_server
    java -cp "$JAR" "$REPORT" render --dir "$results_dir" --page "$page" --code-tree "$code_tree"
done
log "load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)"
