#!/usr/bin/env bash
# Issue 34: stage 2 (adversarial, encoder and posterior flow frozen) from the shipped models/drums
# weights, on the drums recipe's training clips plus the four extra datasets below (1,360 clips on this
# machine; the card counts 1,294 for stage B),
# pinned to one core with one thread so a second run or other work can hold the other core.
#   scripts/experiments/stage2-from-shipped.sh RUNS_DIR NAME [--set key=value]…   start (or --resume it)
# RUNS_DIR must hold the datasets drums, gm-drums, timgm, avl-rz and avl-bp built by the card's commands.
# ONESHOT=path/to/oneshot runs a copy of the program (a rebuild must not replace a run's files under it).
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
        --set stage2.start_step=0 --set train.steps=16000 --set train.checkpoint_every=250)
fi
exec taskset -c "$core" "${ONESHOT:-$repo/oneshot}" train --data "$runs/drums" --out "$runs/$name" "${mode[@]}" --threads 1 "$@"
