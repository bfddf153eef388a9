#!/usr/bin/env bash
# Issue 33: the tiny preset trains 300 steps with no skipped (non-finite) step under every vector
# instruction set libtorch can take on this CPU, on the synthetic and the drums recipes.
#   scripts/experiments/isa-skipped-steps.sh WORK_DIR [levels…]     (levels: avx512 avx2 default; all three by default)
# Each cap is set for ATen (ATEN_CPU_CAPABILITY), MKL (MKL_ENABLE_INSTRUCTIONS) and oneDNN (ONEDNN_MAX_CPU_ISA),
# as scripts/run-tests.sh sets them. Prints one line per run: level, dataset, steps, skipped steps, minutes.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# -ge 1 ] || { echo "usage: $0 WORK_DIR [avx512|avx2|default…]" >&2; exit 2; }
work="$1"; shift
levels=("$@")
[ $# -eq 0 ] && levels=(avx512 avx2 default)
mkdir -p "$work"
oneshot="${ONESHOT:-$repo/oneshot}"
[ -f "$work/synthetic/dataset.json" ] || "$oneshot" data recipe synthetic --out "$work/synthetic" > /dev/null
[ -f "$work/drums/dataset.json" ] || "$oneshot" data recipe drums --out "$work/drums" > /dev/null
for level in "${levels[@]}"; do
  case "$level" in
    avx512)  caps=(ATEN_CPU_CAPABILITY=avx512 MKL_ENABLE_INSTRUCTIONS=AVX512 ONEDNN_MAX_CPU_ISA=AVX512_CORE) ;;
    avx2)    caps=(ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2) ;;
    default) caps=(ATEN_CPU_CAPABILITY=default MKL_ENABLE_INSTRUCTIONS=SSE4_2 ONEDNN_MAX_CPU_ISA=SSE41) ;;
    *) echo "unknown level $level (avx512, avx2 or default)" >&2; exit 2 ;;
  esac
  for data in synthetic drums; do
    out="$work/tiny-$level-$data"
    rm -rf "$out"
    start=$(date +%s)
    log=$(env "${caps[@]}" taskset -c "${CORE:-0}" "$oneshot" train --data "$work/$data" --out "$out" --preset tiny --threads 1 2>&1 | tr '\r' '\n')
    kernels=$(echo "$log" | grep -o '([A-Z0-9]* kernels' | head -1 | tr -d '(')
    skipped=$(echo "$log" | grep -o '[0-9]* steps* w[a-z]* skipped' | grep -o '^[0-9]*' || true)
    steps=$(echo "$log" | grep -o 'Training finished at step [0-9]*' | grep -o '[0-9]*$' || echo "did not finish")
    echo "$level ($kernels) $data: step $steps, skipped ${skipped:-0}, $(( ($(date +%s) - start) / 60 )) min"
  done
done
