#!/usr/bin/env bash
# Issue 34, item 4: evaluates the stage-1 twin (stage1-twin-from-shipped.sh) at a validation copied by
# snapshot-at-validation.py, beside stage 2 at the same CPU time (docs/benchmarks.md, "The honest twin").
#   scripts/experiments/eval-stage1-twin.sh RUNS_DIR RUN STEP   → RUNS_DIR/RUN-STEP (the model) and RUNS_DIR/eval-RUN-STEP (the report)
# Unlike a stage-2 run, the twin's encoder moved, so the shipped prior no longer fits its latents: an
# NSF prior is fitted to them first (`oneshot prior train`, its defaults), as the shipped one was.
# Pinned to one core (CORE, default 0), one thread; ONESHOT=path runs a copy of the program.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
if [ $# -ne 3 ]; then echo "usage: $0 RUNS_DIR RUN STEP" >&2; exit 2; fi
runs="$(cd "$1" && pwd)"; run="$2"; step="$3"
snapshot="$runs/snapshots/$run-$step/$run"
[ -f "$snapshot/model.safetensors" ] || { echo "no snapshot at $snapshot (run snapshot-at-validation.py beside the run)" >&2; exit 1; }
model="$runs/$run-$step"
mkdir -p "$model"
cp "$snapshot/model.safetensors" "$snapshot/config.json" "$model/"
oneshot=(taskset -c "${CORE:-0}" "${ONESHOT:-$repo/oneshot}")
"${oneshot[@]}" prior train "$model" --threads 1 --force
exec "${oneshot[@]}" eval --models "$model" --data "$runs/drums" --threads 1 --traversal-clips 0 --out "$runs/eval-$run-$step"
