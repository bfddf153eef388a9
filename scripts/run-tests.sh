#!/usr/bin/env bash
# Runs the test suite (already built by setup.sh) and ends with one plain summary line,
# "Tests: N passed, N failed, N skipped", read by CI.
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
  else
    failed_total=$(( failed_total + 1 ))
    echo "==> $label: no test results were written"
    [ $code -eq 0 ] && code=1
  fi
  rm -rf "$results"
  [ $code -ne 0 ] && status=$code
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

if [ $# -eq 0 ]; then levels="${ONESHOT_TEST_ISA_LEVELS-$(levels_below)}"; else levels="${ONESHOT_TEST_ISA_LEVELS-}"; fi
for level in $levels; do
  case "$level" in
    avx2)    caps=(ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2) ;;
    default) caps=(ATEN_CPU_CAPABILITY=default MKL_ENABLE_INSTRUCTIONS=SSE4_2 ONEDNN_MAX_CPU_ISA=SSE41) ;;
    *) echo "ONESHOT_TEST_ISA_LEVELS: unknown level '$level' (avx2 or default)" >&2; exit 2 ;;
  esac
  run "numerics tests capped at ${caps[*]}" --filter "Category=Numerics"
done

echo "Tests: ${passed_total} passed, ${failed_total} failed, ${skipped_total} skipped"
exit $status
