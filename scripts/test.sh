#!/usr/bin/env bash
# The one command that sets everything up and runs every test: `npm test`.
# Every stage runs even when an earlier one fails; the closing line, `total: N passed, M failed`,
# counts every failure (failed tests, test files that failed without a failed test, opa tests, the
# typecheck), and the exit code is non-zero whenever M > 0 (test/support/run-summary.ts).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
# The benchmark harnesses' CI smoke tests need the load generators and the OPA-Envoy stand-in.
bash scripts/setup.sh bench
source scripts/env.sh
rm -f .vitest-results.json .opa-results.json

set +e
echo "== typecheck"
tsc -p tsconfig.json --noEmit
typecheck_rc=$?

echo "== opa test policies/"
opa test policies/ -v --format=pretty 2>&1 | tail -n 3
opa test policies/ --format=json > .opa-results.json
opa_rc=$?

echo "== vitest"
vitest run --reporter=default --reporter=json --outputFile.json=.vitest-results.json "$@"
vitest_rc=$?
set -e

node test/support/run-summary.ts --vitest .vitest-results.json --vitest-exit "$vitest_rc" \
  --opa .opa-results.json --opa-exit "$opa_rc" --typecheck-exit "$typecheck_rc"
