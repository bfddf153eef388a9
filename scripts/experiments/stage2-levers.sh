#!/usr/bin/env bash
# Issue 34, item 2: the three stage-2 choices not yet measured one by one — the adversarial loss
# (hinge against least squares), the feature-matching weight and the discriminators' window — each
# as a fork of s2-base at its step-4,000 checkpoint (the same decoder, discriminators and optimiser
# states), run STEPS steps with one setting changed, beside a control fork that changes nothing.
#   scripts/experiments/stage2-levers.sh RUNS_DIR LEVER [STEPS]     LEVER: control | least-squares |
#       feature-matching-2 | window-32768; STEPS defaults to 250. Trains RUNS_DIR/s2-lever-LEVER to
#       step 4,000 + STEPS (resumes if stopped), then evaluates it with eval-stage2-run.sh into
#       RUNS_DIR/eval-s2-lever-LEVER-STEP.
# RUNS_DIR must hold s2-base (stage2-from-shipped.sh) with train/checkpoint-00004000.safetensors.
# Pinned to CORE (default 0), one thread; ONESHOT=path runs a copy of the program.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ $# -ge 2 ] || { echo "usage: $0 RUNS_DIR control|least-squares|feature-matching-2|window-32768 [STEPS]" >&2; exit 2; }
runs="$(cd "$1" && pwd)"; lever="$2"; steps="${3:-250}"
case "$lever" in
  control) change=() ;;
  least-squares) change=(--set stage2.loss=least_squares) ;;
  feature-matching-2) change=(--set stage2.feature_matching_weight=2) ;;
  window-32768) change=(--set stage2.discriminator_crop=32768) ;;
  *) echo "$0: no lever '$lever'" >&2; exit 2 ;;
esac
base="$runs/s2-base"; fork="s2-lever-$lever"; end=$((4000 + steps))
checkpoint="$base/train/checkpoint-00004000.safetensors"
[ -f "$checkpoint" ] || { echo "$0: $checkpoint is missing: run s2-base to step 4,000 first" >&2; exit 1; }
if [ ! -f "$runs/$fork/config.json" ]; then
  mkdir -p "$runs/$fork/train"
  cp "$base/config.json" "$base/latent.json" "$base/model.safetensors" "$runs/$fork/"
  cp "$checkpoint" "$runs/$fork/train/"
  # the history up to the fork point only, so the fork's own rows follow on
  awk -F, 'NR == 1 || $1 <= 4000' "$base/train/metrics.csv" > "$runs/$fork/train/metrics.csv"
fi
CORE="${CORE:-0}" "$here/stage2-from-shipped.sh" "$runs" "$fork" \
  --set train.steps="$end" --set train.validate_every="$steps" "${change[@]}"
CORE="${CORE:-0}" "$here/eval-stage2-run.sh" "$runs" "$fork" "$end"
