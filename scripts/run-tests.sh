#!/usr/bin/env bash
# Runs the test suite (already built by setup.sh) and ends with one plain summary line,
# "Tests: N passed, N failed, N skipped", read by CI.
set -uo pipefail
cd "$(dirname "$0")/.."
configuration="${1:-Debug}"
shift || true
results="$(mktemp -d)"
dotnet test tests/Oneshot.Tests/Oneshot.Tests.csproj -c "$configuration" --no-build -nologo \
  --logger "trx;LogFileName=results.trx" --results-directory "$results" \
  --logger "console;verbosity=normal" "$@"
status=$?
trx="$results/results.trx"
if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$(get passed); failed=$(get failed); total=$(get total); executed=$(get executed)
  skipped=$(( ${total:-0} - ${executed:-0} ))
  echo "Tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped} skipped"
else
  echo "Tests: 0 passed, 1 failed (no test results were written)"
  [ $status -eq 0 ] && status=1
fi
rm -rf "$results"
exit $status
