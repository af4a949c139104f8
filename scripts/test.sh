#!/usr/bin/env bash
# The one command that sets everything up and runs every test: `npm test`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
# The benchmark harnesses' CI smoke tests need the load generators and the OPA-Envoy stand-in.
bash scripts/setup.sh bench
source scripts/env.sh

echo "== typecheck"
tsc -p tsconfig.json --noEmit

echo "== opa test policies/"
opa test policies/ -v --format=pretty 2>&1 | tail -n 3
opa_line="$(opa test policies/ --format=json | node -e '
  let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);
  const f=r.filter(t=>t.fail||t.error).length;console.log(`${r.length-f} ${f}`)})')"

echo "== vitest"
set +e
vitest run --reporter=default --reporter=json --outputFile.json=.vitest-results.json "$@"
vitest_rc=$?
set -e
read -r opa_pass opa_fail <<<"$opa_line"
node -e '
  const r=require("./.vitest-results.json");
  const [op,of]=[Number(process.argv[1]),Number(process.argv[2])];
  const passed=r.numPassedTests+op, failed=r.numFailedTests+of, skipped=r.numPendingTests+r.numTodoTests;
  console.log(`\nvitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed; opa test: ${op} passed, ${of} failed`);
  console.log(`total: ${passed} passed, ${failed} failed` + (skipped?`, ${skipped} skipped`:""));
' "$opa_pass" "$opa_fail"
[ "$opa_fail" = 0 ] || exit 1
exit $vitest_rc
