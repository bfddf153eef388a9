#!/usr/bin/env bash
# Issue 34: evaluates a stage-2 run of stage2-from-shipped.sh at its last validation, on drums' 158
# held-out test clips, beside the shipped model's numbers: docs/benchmarks.md, "Stage 2 from the
# shipped weights" (the tables by step) and "The buzz penalty, measured as the evaluation measures it".
#   scripts/experiments/eval-stage2-run.sh RUNS_DIR RUN LABEL    → RUNS_DIR/RUN-LABEL (the model) and RUNS_DIR/eval-RUN-LABEL (the report)
# A run writes RUN/model.safetensors at each validation (train.validate_every), so LABEL is that step.
# The encoder and posterior flow are frozen in stage 2, so the shipped latent.json and trained prior
# stay valid and are copied beside the new decoder. Pinned to one core (CORE, default 0), one thread,
# no traversals (the controls do not change in stage 2). ONESHOT=path runs a copy of the program.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
if [ $# -ne 3 ]; then
  echo "usage: $0 RUNS_DIR RUN LABEL" >&2
  exit 2
fi
runs="$(cd "$1" && pwd)"; run="$2"; label="$3"
model="$runs/$run-$label"
mkdir -p "$model"
cp "$runs/$run/model.safetensors" "$runs/$run/config.json" "$model/"
cp "$repo/models/drums/latent.json" "$repo/models/drums/prior.json" "$repo/models/drums/prior.safetensors" "$model/"
exec taskset -c "${CORE:-0}" "${ONESHOT:-$repo/oneshot}" eval --models "$model" --data "$runs/drums" --threads 1 --traversal-clips 0 --out "$runs/eval-$run-$label"
