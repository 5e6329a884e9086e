#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: starts the servers the tests need (each
# scripts/servers/*.sh installs its server with apt-get when missing), runs `mvn verify` over the whole
# reactor (tests, the contract suite against every backend, the formatting check), and stops the servers
# again, whatever the outcome. Then runs the Redis contract and failure suites once more on the newest Lettuce
# line (profile lettuce-newest), against the classes the main build compiled with the oldest one.
#
# Usage: scripts/test.sh [extra Maven arguments]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

servers=()
for script in scripts/servers/*.sh; do
    [[ -e "$script" ]] && servers+=("$script")
done

stop_servers() {
    local status=$?
    for script in "${servers[@]}"; do
        bash "$script" stop || echo "test.sh: could not stop $(basename "$script" .sh)" >&2
    done
    exit "$status"
}
trap stop_servers EXIT

for script in "${servers[@]}"; do
    echo "test.sh: starting $(basename "$script" .sh)"
    bash "$script" start
done

mvn -B --no-transfer-progress verify "$@"

echo "test.sh: the Redis suites on the newest Lettuce line"
mvn -B --no-transfer-progress -pl cachekit-redis -am -Plettuce-newest verify \
    -Dtest='LettuceLineTest,RedisBackendContractTest*,RedisBackendFailureTest*,RedisClusterBackendContractTest*,RedisClusterFailureTest*' \
    -Dsurefire.failIfNoSpecifiedTests=false -Dcachekit.failIfNoTests=false -Dspotless.check.skip=true
