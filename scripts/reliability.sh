#!/usr/bin/env bash
# Runs the failure contract of every backend against its real server (the servers are started and stopped
# as scripts/test.sh does) and renders the figures it measured into docs/reliability.md.
#
# Usage: scripts/reliability.sh              run the failure suites, then render
#        scripts/reliability.sh --render     render from the last run's target/reliability/*.tsv
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ "${1:-}" != "--render" ]]; then
    find . -path '*/target/reliability/*.tsv' -delete
    bash scripts/test.sh -Dtest='*FailureTest' -Dsurefire.failIfNoSpecifiedTests=false \
        -Dcachekit.failIfNoTests=false -Dspotless.check.skip=true
fi

revision="$(git rev-parse --short HEAD)$([[ -n "$(git status --porcelain)" ]] && echo '+changes' || true)"
java scripts/ReliabilityPage.java docs/reliability.md "scripts/reliability.sh" "$revision" "$(date -u +%F)"
echo "reliability.sh: wrote docs/reliability.md"
