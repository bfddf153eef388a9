#!/usr/bin/env bash
# Issue 36: the named controls' audible cross-talk with held directions, on the shipped model. The
# page's "move one quality, hold the others' read-outs" steps along the dual basis of the controls'
# directions; `oneshot controls --directions held` fits the same dual basis (Wᵀ(WWᵀ)⁻¹), so an
# evaluation's traversals of a copy refitted so measure what the page's held sliders do to the sound.
#   CORE=0 scripts/experiments/held-directions.sh RUNS_DIR
#   → RUNS_DIR/drums-held (the copy) and RUNS_DIR/eval-held (metrics.json: models[].controls[] ρ,
#     change and cross-talk for the shipped directions and the held ones, 24 held-out clips each).
# RUNS_DIR holds the drums dataset (and the SoundFont datasets the model also trained on, as its
# config names them). One core, one thread; about 15 CPU-minutes. ONESHOT=path runs a copy of the program.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# -eq 1 ] || { echo "usage: $0 RUNS_DIR" >&2; exit 2; }
runs="$(cd "$1" && pwd)"
oneshot="${ONESHOT:-$repo/oneshot}"
pinned() { taskset -c "${CORE:-0}" "$oneshot" "$@" --threads 1; }
rm -rf "$runs/drums-held"
cp -r "$repo/models/drums" "$runs/drums-held"
pinned controls "$runs/drums-held" --data "$runs/drums" --directions held
pinned eval --models "$repo/models/drums" "$runs/drums-held" --data "$runs/drums" --traversal-clips 24 \
  --out "$runs/eval-held"
