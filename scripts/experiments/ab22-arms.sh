#!/usr/bin/env bash
# Issues 19 and 20: the A/B arms at 22.05 kHz of docs/benchmarks.md — quality per CPU-hour's levers
# (modes, optimiser, FiLM, Snake, early GAN, log-mel encoder, posterior flows, semi-amortised
# training, time positions) and named controls (trained dimensions, β-TCVAE). Each arm trains the
# `cpu` preset from scratch on the drums recipe at 22,050 Hz and 32,768 samples (drums22: 158
# held-out test clips, 104 pitched) for a short annealed schedule, pinned to one core with one
# thread, and is then evaluated on the held-out kits:
#   taskset -c CORE oneshot train --data drums22 --out ARM --preset cpu --set train.steps=2500 --threads 1 [--set …]
#   taskset -c CORE oneshot eval --models ARM --data drums22 --threads 1 --out eval-ARM
# The table of arms in arm_settings below gives each arm's settings and the benchmarks.md section
# its numbers are in.
#   CORE=0|1 scripts/experiments/ab22-arms.sh RUNS_DIR ARM…    (the arms one after another; CORE defaults to 1)
# RUNS_DIR gets drums22 (built here when it is missing: `oneshot data recipe drums --out drums22
# --sample-rate 22050 --length 32768`), a model folder per arm, named as the arm, and eval-ARM/ with
# its report (report.html, metrics.json). An arm whose folder exists is resumed (--resume), as the
# doc's arms were after a stop or a machine reset, and evaluated when it ends.
# ONESHOT=path/to/oneshot runs a copy of the program (a rebuild must not replace a run's files under it).
#
# Reconstructed from the doc's text (the original /work/runs/ab22.sh … ab22l.sh are lost):
#  - Arm names: ab22b-base, ab22e-logmel, ab22e-noflow, ab22j-tc, ab22k-v4ar and ab22l-filmpos are the
#    model folders the doc names; the doc called most others by a round's script and a short name
#    (`ab22c.sh 1 film`: ab22c-film here); the names of the first round's two arms, of ab22b's modes
#    and optimiser arms and of ab22f's two Snake arms are this script's choice.
#  - β: "today's preset" of the arms run before config version 3 (builds f93b6bc to bf1ff52) was
#    config version 2, whose β ended at 0.02. Version 4's `cpu` preset (this build's) differs from
#    version 2's in that β alone (src/Oneshot/Model/RunConfig.cs, MigrateFromVersion2), so those
#    arms set train.beta=0.02 here; the doc's commands did not need to.
#  - eval's --out (the doc's eval commands name none), and building drums22 on the arm's core.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
if [ $# -lt 2 ]; then
  echo "usage: CORE=0|1 $0 RUNS_DIR ARM…" >&2
  exit 2
fi
mkdir -p "$1"
runs="$(cd "$1" && pwd)"; shift
core="${CORE:-1}"
oneshot="${ONESHOT:-$repo/oneshot}"

version2=(--set train.beta=0.02)
scale4096=(--set 'model.stft_sizes=[4096,2048,1024,512,256,128]')
modes101=(--set model.modes=101 --set model.mode_max_hz=10000 "${scale4096[@]}")   # a semitone grid over 30 Hz–10 kHz
optimiser=(--set train.ema_decay=0.999 --set train.weight_decay=0.01 --set train.adam_beta1=0.8 --set train.adam_beta2=0.99)
film=(--set model.decoder_film=true)
snake=(--set model.decoder_activation=snake)
logmel=(--set model.encoder_input=log_mel)
five='train.attributes=["brightness","attack","decay","pitch","level"]'
six='train.attributes=["brightness","noisiness","attack","decay","pitch","level"]'

# Sets steps and settings for the arm named $1; the comment above each group is its section.
arm_settings() {
  steps=2500
  settings=()
  case "$1" in
    # "A first, cheap A/B at 22.05 kHz": 1,200 annealed steps (the original ab22.sh ran both arms on one core).
    ab22-base)          steps=1200; settings=("${version2[@]}") ;;
    ab22-modes64)       steps=1200; settings=("${version2[@]}" --set model.modes=64 --set model.mode_max_hz=10000 "${scale4096[@]}") ;;
    # "Second A/B at 22.05 kHz" (build e4ef678; ab22b.sh CORE ARM…). ab22b-base is also the model of
    # "Named controls (issue 20): fitted directions on a 2,500-step model" (oneshot controls ab22b-base).
    ab22b-base)         settings=("${version2[@]}") ;;
    ab22b-modes)        settings=("${version2[@]}" "${modes101[@]}") ;;
    ab22b-opt)          settings=("${version2[@]}" "${optimiser[@]}") ;;
    ab22b-snake)        settings=("${version2[@]}" "${snake[@]}") ;;
    # The second A/B's FiLM row, and the third A/B's combo row (build 6444d83; ab22c.sh 1 film, ab22c.sh 0 combo).
    ab22c-film)         settings=("${version2[@]}" "${film[@]}") ;;
    ab22c-combo)        settings=("${version2[@]}" "${film[@]}" "${optimiser[@]}" "${modes101[@]}") ;;
    # "Named controls …": "Trained dimensions, the same 2,500 steps" (build 6444d83; ab22c.sh 0 ar): γ 1, δ 10 (the defaults).
    ab22c-ar)           settings=("${version2[@]}" --set "$five") ;;
    # "Third A/B at 22.05 kHz" (build 56f2a17; ab22d.sh 0 combosnake, ab22d.sh 1 gan).
    ab22d-combosnake)   settings=("${version2[@]}" "${film[@]}" "${optimiser[@]}" "${modes101[@]}" "${snake[@]}") ;;
    ab22d-gan)          settings=("${version2[@]}" --set stage2.start_step=500 --set stage2.freeze_encoder=false
                                  --set 'stage2.periods=[]' --set stage2.scales=0 --set 'stage2.stft_sizes=[2048,1024,512]') ;;
    # "Fourth A/B at 22.05 kHz" (build bf1ff52; ab22e.sh 1 logmel noflow, and ab22f.sh). The doc stopped
    # ab22f-snakeopt by hand at step 814 once its KL had collapsed; here it runs on unless stopped.
    ab22e-logmel)       settings=("${version2[@]}" "${logmel[@]}") ;;
    ab22e-noflow)       settings=("${version2[@]}" --set model.flow_steps=0) ;;
    ab22f-snakelogmel)  settings=("${version2[@]}" "${snake[@]}" "${logmel[@]}") ;;
    ab22f-snakeopt)     settings=("${version2[@]}" "${snake[@]}" "${optimiser[@]}") ;;
    # "Named controls: with the log-mel encoder …" (ab22g.sh 1 logmelar; its twin is ab22e-logmel, β to 0.02).
    ab22g-logmelar)     settings=("${version2[@]}" "${logmel[@]}" --set "$six" --set train.attribute_weight=10) ;;
    # "Fifth A/B at 22.05 kHz": the Sylvester arm (build bf1ff52; ab22h.sh 1 logmelsylv) …
    ab22h-logmelsylv)   settings=("${version2[@]}" "${logmel[@]}" --set model.posterior_flow=sylvester) ;;
    # … and semi-amortised training at its twin's CPU time (build 30fc82b; ab22i.sh 1 refine2): 740
    # steps, the warm-ups scaled by 740/2,500, the log-mel encoder and β to 0.02 as the twin (ab22e-logmel).
    ab22i-refine2)      steps=740; settings=("${version2[@]}" "${logmel[@]}" --set train.refine_steps=2
                                             --set train.warmup_steps=148 --set train.beta_warmup_steps=2960) ;;
    # "Named controls: β-TCVAE's total-correlation penalty …" (build a9600f6; ab22j.sh 1 tc); its twin is ab22e-noflow.
    ab22j-tc)           settings=(--set model.flow_steps=0 --set train.beta=0.02 --set model.encoder_input=pqmf --set train.tc_weight=0.1) ;;
    # Config version 4's preset as it is, and all six descriptors trained at γ 10 (build 37fc221;
    # ab22k.sh 1 v4, ab22k.sh 1 v4ar): "Lever 4's second half" and "Named controls on config version 4".
    ab22k-v4)           settings=() ;;
    ab22k-v4ar)         settings=(--set "$six" --set train.attribute_weight=10) ;;
    # "Lever 4's second half: time-position channels" (build 2bf5474; ab22l.sh).
    ab22l-filmpos)      settings=("${film[@]}" --set model.decoder_positions=16) ;;
    *) echo "unknown arm '$1': see the table in $0" >&2; return 2 ;;
  esac
}

for arm in "$@"; do arm_settings "$arm"; done   # every name known before anything starts

pin=(taskset -c "$core")
[ -f "$runs/drums22/dataset.json" ] ||
  "${pin[@]}" "$oneshot" data recipe drums --out "$runs/drums22" --sample-rate 22050 --length 32768 --threads 1
for arm in "$@"; do
  arm_settings "$arm"
  if [ -f "$runs/$arm/config.json" ]; then
    mode=(--resume)
  else
    mode=(--preset cpu --set "train.steps=$steps" ${settings[@]+"${settings[@]}"})
  fi
  "${pin[@]}" "$oneshot" train --data "$runs/drums22" --out "$runs/$arm" "${mode[@]}" --threads 1
  "${pin[@]}" "$oneshot" eval --models "$runs/$arm" --data "$runs/drums22" --threads 1 --out "$runs/eval-$arm"
done
