#!/usr/bin/env bash
# Issue 19: evaluates the copies snapshot-at-validation.py took of the 44.1 kHz runs, each under its
# run's name, on drums' 158 held-out test clips (93 pitched): the tables of "Confirming at 44.1 kHz"
# and "The side by side to the end" in docs/benchmarks.md, and through `oneshot chart` its figures
# docs/quality-per-cpu-hour.svg and docs/partials-per-cpu-hour.svg.
#   scripts/experiments/eval-snapshots.sh RUNS_DIR [RUN-STEP…]    (default: every snapshot without its eval-RUN-STEP/)
# RUNS_DIR must hold the dataset drums the runs trained on and snapshots/RUN-STEP/RUN from
# snapshot-at-validation.py. Each copy is evaluated pinned to one core (CORE, default 1) with one thread:
#   taskset -c CORE oneshot eval --models snapshots/RUN-STEP/RUN --data drums --threads 1 --out eval-RUN-STEP
# A copy at its run's last step (train.steps) first gets its flow prior, as the doc's runs at 10,000
# steps did (`oneshot prior train RUN --threads 1`: NSF, 4 blocks, the defaults), so that eval scores
# the trained prior's samples too. Then, as the doc drew its figures:
#   oneshot chart RUNS_DIR/eval-* --out quality-per-cpu-hour.svg
#   oneshot chart RUNS_DIR/eval-* --measure partials --out partials-per-cpu-hour.svg
# ONESHOT=path/to/oneshot runs a copy of the program (a rebuild must not replace a run's files under it).
#
# Reconstructed from the doc's text (the original /work/runs/evalsnap.sh is lost; the doc gives its
# command as `oneshot eval --models cand-v3 --data drums --threads 1`): the snapshots' layout, which
# ones it picks, the report folders eval-RUN-STEP/ (the doc's chart reads folders of that name) and
# fitting the prior here rather than by hand.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
if [ $# -lt 1 ]; then
  echo "usage: $0 RUNS_DIR [RUN-STEP…]" >&2
  exit 2
fi
runs="$(cd "$1" && pwd)"; shift
core="${CORE:-1}"
oneshot="${ONESHOT:-$repo/oneshot}"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for folder in "$runs"/snapshots/*/; do
    name="$(basename "$folder")"
    case "$name" in *.partial) continue ;; esac
    [ -f "$runs/eval-$name/metrics.json" ] || names+=("$name")
  done
fi
for name in ${names[@]+"${names[@]}"}; do
  run="${name%-*}"; step="${name##*-}"
  model="$runs/snapshots/$name/$run"
  [ -f "$model/config.json" ] || { echo "no snapshot $model" >&2; exit 1; }
  last="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["train"]["steps"])' "$model/config.json")"
  if [ "$step" -ge "$last" ] && [ ! -f "$model/prior.json" ]; then
    taskset -c "$core" "$oneshot" prior train "$model" --data "$runs/drums" --threads 1
  fi
  taskset -c "$core" "$oneshot" eval --models "$model" --data "$runs/drums" --threads 1 --out "$runs/eval-$name"
done
