#!/usr/bin/env bash
# Runs the test suite (already built by setup.sh) and ends with one plain summary line,
# "Tests: N passed, N failed, N skipped", read by CI, after the failed tests by name (and the ones
# that failed once and passed when run again on their own, as FLAKY).
#
# Then it runs the numerics-sensitive tests (xunit trait Category=Numerics: kernels against float64,
# exact resume, stage 2, semi-amortised training, a tiny run with no skipped step) again under each
# vector instruction set below this CPU's own, so a machine with AVX-512 also checks what an AVX2 or
# an SSE4-only machine computes. Each cap is set for all three kernel libraries libtorch uses:
# ATen's own (ATEN_CPU_CAPABILITY), MKL's sgemm (MKL_ENABLE_INSTRUCTIONS) and oneDNN (ONEDNN_MAX_CPU_ISA).
# ONESHOT_TEST_ISA_LEVELS="avx2 default" chooses the caps (empty: none); a run given its own
# dotnet test arguments (a --filter, say) makes no capped runs unless it sets that variable.
set -uo pipefail
cd "$(dirname "$0")/.."
configuration="${1:-Debug}"
shift || true

passed_total=0; failed_total=0; skipped_total=0; status=0
failures=""       # each failed test's name and the first line of its message, repeated at the end
last_failed=()    # the methods that failed in the latest run, for the rerun
last_failed_count=0
last_clean=0      # 1 when the latest run had no run-level error (only its tests can have failed)
last_passed_names=""   # the latest run's passed tests, one display name a line
caps=()   # environment of the next run: the instruction-set caps, when any

run() {  # run LABEL [dotnet test arguments…]; adds the run's counts to the totals
  local label="$1"; shift
  local results; results="$(mktemp -d)"
  env ${caps[@]+"${caps[@]}"} dotnet test tests/Oneshot.Tests/Oneshot.Tests.csproj -c "$configuration" --no-build -nologo \
    --logger "trx;LogFileName=results.trx" --results-directory "$results" \
    --logger "console;verbosity=normal" "$@"
  local code=$?
  local trx="$results/results.trx"
  if [ -f "$trx" ]; then
    local counters; counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
    local passed failed total executed
    passed=$(get passed); failed=$(get failed); total=$(get total); executed=$(get executed)
    passed_total=$(( passed_total + ${passed:-0} )); failed_total=$(( failed_total + ${failed:-0} ))
    skipped_total=$(( skipped_total + ${total:-0} - ${executed:-0} ))
    echo "==> $label: ${passed:-0} passed, ${failed:-0} failed"
    last_failed=(); last_failed_count=${failed:-0}
    local lines; lines="$(read_trx "$trx" "$label")"
    # A test host that dies shows in the trx only as a run-level error, and the tests it never ran
    # are in no count: such a run is never retried.
    local errors; errors="$(grep '^RUN ERROR ' <<< "$lines")"
    last_clean=0
    if [ -z "$errors" ]; then last_clean=1
    else
      failures+="$errors"$'\n'
      [ "${failed:-0}" = 0 ] && failed_total=$(( failed_total + 1 ))   # so the summary line shows it
    fi
    last_passed_names="$(sed -n 's/^PASSED //p' <<< "$lines")"
    if [ "${failed:-0}" != 0 ]; then
      failures+="$(grep '^FAILED (' <<< "$lines")"$'\n'
      mapfile -t last_failed < <(sed -n 's/^FAILED METHOD //p' <<< "$lines" | sort -u)
    fi
  else
    failed_total=$(( failed_total + 1 )); last_failed=(); last_failed_count=1; last_clean=0
    last_passed_names=""
    echo "==> $label: no test results were written"
    [ $code -eq 0 ] && code=1
  fi
  rm -rf "$results"
  [ $code -ne 0 ] && status=$code
}

# One pass over a trx file, a line each (CI shows only the end of a long log, so these are repeated there):
#   FAILED (LABEL): Name.Of.Test(args): the first line of its message
#   FAILED METHOD Name.Of.Test               (the method, for a --filter)
#   PASSED Name.Of.Test(args)
#   RUN ERROR (LABEL): a run-level error's first line, other than xUnit's own "[xUnit.net 0:00:01] Name [FAIL]"
read_trx() {
  python3 - "$1" "$2" <<'PY'
import re, sys, xml.etree.ElementTree as tree
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
root, label = tree.parse(sys.argv[1]).getroot(), sys.argv[2]
def first_line(text):
    lines = text.strip().splitlines()
    return lines[0][:300] if lines else ""
for result in root.iterfind(".//t:UnitTestResult", ns):
    name, outcome = result.get("testName"), result.get("outcome")
    if outcome == "Failed":
        print(f"FAILED ({label}): {name}: {first_line(result.findtext('t:Output/t:ErrorInfo/t:Message', '', ns))}")
        print(f"FAILED METHOD {name.split('(')[0]}")
    elif outcome == "Passed":
        print(f"PASSED {name}")
for info in root.iterfind(".//t:RunInfo[@outcome='Error']", ns):
    text = info.findtext("t:Text", "", ns).strip()
    if not re.fullmatch(r"\[xUnit\.net [0-9:.]+\]\s+\S.* \[FAIL\]", text):
        print(f"RUN ERROR ({label}): {first_line(text) or '(no message)'}")
PY
}

# The instruction sets this CPU has, from its flags: ATen dispatches to AVX512 when it has these four.
levels_below() {
  local flags; flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
  local has512=1 has2=1 f
  for f in avx512f avx512bw avx512vl avx512dq; do [[ "$flags" == *" $f "* ]] || has512=0; done
  for f in avx2 fma; do [[ "$flags" == *" $f "* ]] || has2=0; done
  if [ $has512 = 1 ]; then echo "avx2 default"; elif [ $has2 = 1 ]; then echo "default"; fi
}

run "all tests at this CPU's own instruction set" "$@"

# When at most five tests failed (and nothing else went wrong), they are run once more, in a run of
# their own (without this script's other dotnet test arguments). If every one of them passes there,
# the run stays green but says so at the end: CI machines are shared and loaded, a timing slip should
# not sink a submission, and a name at the end is what lets someone fix it. A test that fails twice,
# or that the second run does not find, fails the run.
flaky=""
if [ "$last_clean" = 1 ] && [ ${#last_failed[@]} -gt 0 ] && [ ${#last_failed[@]} -le 5 ]; then
  first_failed=("${last_failed[@]}"); first_failed_count=$last_failed_count
  filter="$(printf 'FullyQualifiedName~%s|' "${first_failed[@]}")"; filter="${filter%|}"
  saved=("$passed_total" "$failed_total" "$skipped_total" "$status" "$failures")
  status=0
  run "the tests that failed, again, on their own" --filter "$filter"
  all_ran=1
  for name in "${first_failed[@]}"; do
    # the method itself, or one of its theory cases, "Name(arg: …)"
    awk -v n="$name" '$0 == n || index($0, n "(") == 1 { found = 1 } END { exit !found }' \
      <<< "$last_passed_names" || all_ran=0
  done
  if [ $status -eq 0 ] && [ $last_failed_count -eq 0 ] && [ $all_ran = 1 ]; then
    # Counted once, as passed: the rerun's own counts are dropped.
    flaky="$(printf '%s' "${saved[4]}" | sed 's/^FAILED /FLAKY /')"$'\n'
    passed_total=$(( saved[0] + first_failed_count )); failed_total=$(( saved[1] - first_failed_count ))
    skipped_total=${saved[2]}; failures=""; status=0
  else
    passed_total=${saved[0]}; failed_total=${saved[1]}; skipped_total=${saved[2]}
    status=${saved[3]}; failures="${saved[4]}"
  fi
fi

if [ $# -eq 0 ]; then levels="${ONESHOT_TEST_ISA_LEVELS-$(levels_below)}"; else levels="${ONESHOT_TEST_ISA_LEVELS-}"; fi
for level in $levels; do
  case "$level" in
    avx2)    caps=(ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2) ;;
    default) caps=(ATEN_CPU_CAPABILITY=default MKL_ENABLE_INSTRUCTIONS=SSE4_2 ONEDNN_MAX_CPU_ISA=SSE41) ;;
    *) echo "ONESHOT_TEST_ISA_LEVELS: unknown level '$level' (avx2 or default)" >&2; exit 2 ;;
  esac
  run "numerics tests capped at ${caps[*]}" --filter "Category=Numerics"
done

[ -n "$failures" ] && printf '%s' "$failures"
[ -n "$flaky" ] && printf 'Failed once, then passed when run again on their own:\n%s' "$flaky"
echo "Tests: ${passed_total} passed, ${failed_total} failed, ${skipped_total} skipped"
exit $status
