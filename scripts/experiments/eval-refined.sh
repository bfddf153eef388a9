#!/usr/bin/env bash
# Issue 19: the amortisation gap — each model evaluated on 40 held-out test clips twice, with the
# encoder's own latents and with latents refined 30 steps, so a model whose decoder can make a sound
# its encoder does not find shows it. docs/benchmarks.md, "Confirming at 44.1 kHz" (the log-mel
# candidate at 3,000 steps against the baseline at 4,000: "Refining the latents (40 held-out clips …)").
#   scripts/experiments/eval-refined.sh RUNS_DIR MODEL…      e.g. … RUNS cand-v3-3000 base-cpu-4000
# MODEL is a snapshot name RUN-STEP (RUNS_DIR/snapshots/RUN-STEP/RUN, from snapshot-at-validation.py)
# or a model folder inside RUNS_DIR. RUNS_DIR must hold the models' dataset, drums unless DATA names
# another (DATA=drums22 for the fifth A/B's semi-amortised arm and its twin, which the doc measured
# with the same `--test-clips 40 --refine 0|30`). Each evaluation is pinned to one core (CORE,
# default 1) with one thread:
#   taskset -c CORE oneshot eval --models MODEL --data drums --threads 1 --test-clips 40 --refine 0|30 --out eval40-MODEL-refine0|30
# ONESHOT=path/to/oneshot runs a copy of the program.
#
# Reconstructed from the doc's text (the original /work/runs/evalrefine.sh is lost; the doc gives its
# settings, `--test-clips 40 --refine 30`, and numbers "from … to", so both the encoder's and the
# refined latents): the pinning and thread count (as every other evaluation in that section), the
# report folders and the snapshot names.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
if [ $# -lt 2 ]; then
  echo "usage: [DATA=drums] $0 RUNS_DIR MODEL…" >&2
  exit 2
fi
runs="$(cd "$1" && pwd)"; shift
core="${CORE:-1}"
data="$runs/${DATA:-drums}"
oneshot="${ONESHOT:-$repo/oneshot}"
for name in "$@"; do
  model="$runs/$name"
  [ -d "$runs/snapshots/$name" ] && model="$runs/snapshots/$name/${name%-*}"
  [ -f "$model/config.json" ] || { echo "no model at $model" >&2; exit 1; }
  for refine in 0 30; do
    taskset -c "$core" "$oneshot" eval --models "$model" --data "$data" --threads 1 --test-clips 40 --refine "$refine" \
      --out "$runs/eval40-${name//\//-}-refine$refine"
  done
done
