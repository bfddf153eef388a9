#!/usr/bin/env bash
# Issue 34, item 3 (a larger decoder): stage 2 from the shipped weights as stage2-from-shipped.sh runs
# it, with decoder parts the shipped model lacks grown on it — damped modes on a grid of 12 per octave
# from 30 Hz to 16 kHz (110 modes), for the partials, and FiLM from z after every decoder stage, so z
# reaches every scale and not only the 32 first frames. FiLM starts at zero and the modes quiet (each
# at ~0.001 of full scale), so step 0 sounds almost as the shipped model.
#   scripts/experiments/stage2-grown-decoder.sh RUNS_DIR NAME [--set key=value]…   start (or resume) it
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ $# -ge 2 ] || { echo "usage: $0 RUNS_DIR NAME [--set key=value]…" >&2; exit 2; }
runs="$1"; name="$2"; shift 2
if [ -f "$runs/$name/config.json" ]; then exec "$here/stage2-from-shipped.sh" "$runs" "$name" "$@"; fi
exec "$here/stage2-from-shipped.sh" "$runs" "$name" --set model.modes=110 --set model.decoder_film=true "$@"
