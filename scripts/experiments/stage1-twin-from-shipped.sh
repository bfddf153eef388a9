#!/usr/bin/env bash
# Issue 34, item 4: the honest twin of stage2-from-shipped.sh — the same CPU-hours spent on more
# stage 1 (stage B continued) from the shipped models/drums weights, on the same clips as that script,
# so "does the adversarial stage beat more of the same" is answered at equal cost.
#   scripts/experiments/stage1-twin-from-shipped.sh RUNS_DIR NAME [--set key=value]…   start (or --resume it)
# Stage B ended at step 23,000 with its cosine learning rate at its floor (1e-4) and β at 0.005
# (models/drums/config.json); the twin goes on there: learning rate held at 1e-4 after a short warm-up
# of the fresh optimiser, β held at 0.005, stage 2 never starting. The encoder moves, so unlike a
# stage-2 run its latent.json is its own and a prior must be trained again before sampling from it.
# Pinned to one core (CORE, default 1) and one thread; ONESHOT=path runs a copy of the program.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# -ge 2 ] || { echo "usage: $0 RUNS_DIR NAME [--set key=value]…" >&2; exit 2; }
runs="$1"; name="$2"; shift 2
core="${CORE:-1}"
extra=(--also-train-on "$runs/gm-drums" --also-train-on "$runs/timgm" --also-train-on "$runs/avl-rz" --also-train-on "$runs/avl-bp")
if [ -f "$runs/$name/config.json" ]; then
  mode=(--resume)
else
  mode=(--preset cpu --init-from "$repo/models/drums" "${extra[@]}"
        --set stage2.start_step=1000000 --set train.steps=16000 --set train.checkpoint_every=250
        --set train.validate_every=500
        --set train.learning_rate=0.0001 --set train.learning_rate_min=0.0001 --set train.warmup_steps=100
        --set train.beta_start=0.005 --set train.beta=0.005)
fi
exec taskset -c "$core" "${ONESHOT:-$repo/oneshot}" train --data "$runs/drums" --out "$runs/$name" "${mode[@]}" --threads 1 "$@"
