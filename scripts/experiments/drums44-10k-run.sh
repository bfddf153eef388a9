#!/usr/bin/env bash
# Issue 19: the 44.1 kHz runs of docs/benchmarks.md that train the `cpu` preset from scratch on the
# drums recipe, annealed to 10,000 steps, each pinned to one core with one thread (the other core
# busy), to compare presets at equal hours, steps and CPU-hours on the held-out kits:
#   taskset -c CORE oneshot train --data drums --out RUN --preset cpu --set train.steps=10000 --threads 1 [--set …]
#   CORE=0|1 scripts/experiments/drums44-10k-run.sh RUNS_DIR RUN      (CORE defaults to 1; start, or --resume it)
# RUN is one of
#   base-cpu  config version 2, the baseline (doc: core 1): "Quality per CPU-hour (issue 19): the levers' cost"
#             ("The baseline run"), "Confirming at 44.1 kHz", "The side by side to the end"
#   cand-v3   config version 3, the log-mel encoder and β to 0.005 (build 378a85d, doc: core 0): "Confirming at 44.1 kHz"
#   cand-v4   the second candidate: the PQMF encoder, a Sylvester posterior flow, β to 0.005 (build 30fc82b;
#             on cand-v3's core once it stopped): "Confirming at 44.1 kHz"
#   cpu-v4    config version 4, the preset as it is now (build 37fc221, doc: core 0): "Confirming at 44.1 kHz"
#             ("Config version 4") and "The side by side to the end"; stage A of the shipped models/drums
#   film44    version 4 with FiLM from z (`--set model.decoder_film=true`, build 2bf5474): "The side by side
#             to the end" (the paragraph on FiLM)
# RUNS_DIR must hold (or gets, built here) the dataset drums (`oneshot data recipe drums --out drums`).
# The held-out numbers come from copies taken at every validation (snapshot-at-validation.py) and
# evaluated one by one (eval-snapshots.sh, eval-refined.sh).
# ONESHOT=path/to/oneshot runs a copy of the program (a rebuild must not replace a run's files under it).
#
# Reconstructed from the doc's text (the original /work/runs/base-cpu.sh, cand-v3.sh, cand-v4.sh,
# cpu-v4.sh and film44.sh are lost): the doc's commands say `--preset cpu` and the settings above;
# the preset has changed since, so each run sets what made its preset then. Config version 2's
# preset differs from version 4's (this build's) in β alone (0.02 against 0.005; RunConfig.cs,
# MigrateFromVersion2), version 3's in the log-mel encoder alone (MigrateFromVersion3). cand-v4's
# core is implied (cand-v3's, the baseline holding the other), film44's is not stated; the dataset
# is built on the run's core.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
if [ $# -lt 2 ]; then
  echo "usage: CORE=0|1 $0 RUNS_DIR base-cpu|cand-v3|cand-v4|cpu-v4|film44" >&2
  exit 2
fi
mkdir -p "$1"
runs="$(cd "$1" && pwd)"; name="$2"
core="${CORE:-1}"
oneshot="${ONESHOT:-$repo/oneshot}"
case "$name" in
  base-cpu) settings=(--set train.beta=0.02) ;;
  cand-v3)  settings=(--set model.encoder_input=log_mel) ;;
  cand-v4)  settings=(--set model.encoder_input=pqmf --set model.posterior_flow=sylvester) ;;
  cpu-v4)   settings=() ;;
  film44)   settings=(--set model.decoder_film=true) ;;
  *) echo "unknown run '$name' (base-cpu, cand-v3, cand-v4, cpu-v4 or film44)" >&2; exit 2 ;;
esac
[ -f "$runs/drums/dataset.json" ] ||
  taskset -c "$core" "$oneshot" data recipe drums --out "$runs/drums" --threads 1
if [ -f "$runs/$name/config.json" ]; then
  mode=(--resume)
else
  mode=(--preset cpu --set train.steps=10000 ${settings[@]+"${settings[@]}"})
fi
exec taskset -c "$core" "$oneshot" train --data "$runs/drums" --out "$runs/$name" "${mode[@]}" --threads 1
