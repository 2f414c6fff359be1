#!/usr/bin/env bash
# Sets up and runs the whole test suite against real services (Temporal, Medusa on PostgreSQL,
# Strapi, the ERP/WMS simulators), which the suite starts and stops itself.
# Extra arguments go to jest, e.g. scripts/test.sh src/workflows/saga.test.ts
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
echo "[test] type-checking"
npx tsc -p tsconfig.json --noEmit
results=$(mktemp)
status=0
npx jest --runInBand --json --outputFile="$results" "$@" || status=$?
# One plain closing line that any CI can read, whatever the runner's own summary looks like.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed`);
' "$results" 2>/dev/null || echo "tests: 0 passed, 1 failed"
rm -f "$results"
exit $status
