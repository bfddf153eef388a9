#!/usr/bin/env bash
# Issue 20: disentanglement where the truth is known. Config version 4's `cpu` preset trained on 800
# clips of the synthetic recipe at 22.05 kHz (whose labels hold each clip's generating factors: kind,
# tuning, brightness, decay) for 2,000 annealed steps, then its 80 test latents scored against those
# factors and against the descriptors (MIG, SAP, modularity; the fitted controls' R²).
# docs/benchmarks.md, "Where the truth is known: the synthetic recipe's factors".
#   scripts/experiments/synthetic-factors.sh RUNS_DIR      (CORE=0|1, default 1)
# RUNS_DIR gets the dataset syn22 (built when missing), the model syn-v4 (resumed with --resume when
# it exists) and its report eval-syn-v4/:
#   oneshot data recipe synthetic --count 800 --out syn22 --sample-rate 22050 --length 32768
#   taskset -c CORE oneshot train --data syn22 --out syn-v4 --preset cpu --set train.steps=2000 --threads 1
#   taskset -c CORE oneshot eval --models syn-v4 --data syn22 --threads 1 --out eval-syn-v4
# ONESHOT=path/to/oneshot runs a copy of the program (a rebuild must not replace a run's files under it).
#
# Reconstructed from the doc's text (the original /work/runs/synfactors.sh is lost): the pinning to
# one core (the doc gives `--threads 1` only), building the dataset on that core and eval's --out.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
if [ $# -ne 1 ]; then
  echo "usage: CORE=0|1 $0 RUNS_DIR" >&2
  exit 2
fi
mkdir -p "$1"
runs="$(cd "$1" && pwd)"
pin=(taskset -c "${CORE:-1}")
oneshot="${ONESHOT:-$repo/oneshot}"
[ -f "$runs/syn22/dataset.json" ] ||
  "${pin[@]}" "$oneshot" data recipe synthetic --count 800 --out "$runs/syn22" --sample-rate 22050 --length 32768 --threads 1
if [ -f "$runs/syn-v4/config.json" ]; then
  mode=(--resume)
else
  mode=(--preset cpu --set train.steps=2000)
fi
"${pin[@]}" "$oneshot" train --data "$runs/syn22" --out "$runs/syn-v4" "${mode[@]}" --threads 1
"${pin[@]}" "$oneshot" eval --models "$runs/syn-v4" --data "$runs/syn22" --threads 1 --out "$runs/eval-syn-v4"
