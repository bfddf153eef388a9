#!/usr/bin/env bash
# docs/account.md, "Listen first": every sound the account plays, made from a checkout.
#   scripts/account/listen-first.sh RUNS_DIR [NAME=MODEL_DIR…]   (RUNS_DIR holds the drums dataset, or gets it)
# 1. `oneshot eval` of models/drums on drums' 158 held-out test clips with --examples 4 --seed 1:
#    four test clips drawn with that seed (not chosen by ear), the model's reconstructions of them,
#    the same clips degraded as the yardsticks degrade them (low-pass 1 kHz, white noise at
#    −20 dBFS), and four draws from each prior (N(0, I) and the trained NSF prior).
# 2. A kit from the shipped model (scripts/account/beat-kit.json: training-class pads and one prior
#    draw), exported in every format, and a two-bar beat: a MIDI file (beat-midi.py) played by
#    fluidsynth through the kit's SoundFont on the drum channel, as a DAW's sampler would play it.
# 3. All of it as 16-bit FLAC under docs/account/audio/ (about 1 MB), and the first of those hits
#    moved along two named controls (traversal.py, decoded) as docs/account/traversal-*.png and
#    audio/traversal-*.flac.
# 4. Each NAME=MODEL_DIR given (the stage-2 runs of scripts/experiments/, say) reconstructs the same
#    four hits from the encoder's latent, as eval does, into audio/reconstructions-NAME/.
# Needs the program built (./setup.sh build), sox, fluidsynth, python3 and taskset, and for the
# drums dataset the hydrogen-drumkits package. The new files replace docs/account's only once all
# of them are made. One core (CORE, default 0); about 5 CPU-minutes. ONESHOT=path runs a copy of
# the program.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# -ge 1 ] || { echo "usage: $0 RUNS_DIR [NAME=MODEL_DIR…]" >&2; exit 2; }
mkdir -p "$1"
runs="$(cd "$1" && pwd)"; shift
for named in "$@"; do
  [[ "$named" == *=* && -f "${named#*=}/config.json" ]] ||
    { echo "$named: give NAME=MODEL_DIR, where MODEL_DIR is a model folder" >&2; exit 2; }
done
oneshot="${ONESHOT:-$repo/oneshot}"
pinned() { taskset -c "${CORE:-0}" "$oneshot" "$@"; }
for tool in sox fluidsynth python3 taskset; do
  command -v "$tool" > /dev/null || { echo "$tool is needed: sudo apt-get install ${tool/taskset/util-linux}" >&2; exit 1; }
done
"$oneshot" --version > /dev/null   # says how to build it when it is not built
new="$runs/account-new"
out="$new/audio"
rm -rf "$new" && mkdir -p "$out"

[ -f "$runs/drums/dataset.json" ] || pinned data recipe drums --out "$runs/drums" --threads 1
report="$runs/account-listen"
pinned eval --models "$repo/models/drums" --data "$runs/drums" --examples 4 --seed 1 \
  --traversal-clips 0 --threads 1 --out "$report"
# -R: sox seeds its dither, so a rerun writes the same bytes
flac() { mkdir -p "$(dirname "$2")"; sox -R "$1" -b 16 "$2"; }
for kind in real drums/reconstructions drums/standard-prior drums/trained-prior \
            yardsticks/low-pass-1-khz yardsticks/white-noise-20-dbfs; do
  for wav in "$report/audio/$kind"/*.wav; do
    flac "$wav" "$out/$(basename "$(dirname "$wav")")/$(basename "${wav%.wav}").flac"
  done
done

for named in "$@"; do
  name="${named%%=*}"; other="$runs/account-$name"
  rm -rf "$other"
  pinned reconstruct "${named#*=}" "$report"/audio/real/0[1-4].wav --refine 0 --out "$other"
  for n in 01 02 03 04; do flac "$other/$n.wav" "$out/reconstructions-$name/$n.flac"; done
done

kit="$runs/account-kit"
rm -rf "$kit"
pinned kit "$repo/scripts/account/beat-kit.json" --data "$runs/drums" --out "$kit"
python3 "$repo/scripts/account/beat-midi.py" "$runs/account-beat.mid"
# No reverb or chorus: the kit as it is, as the project's own FluidSynth renders are made.
fluidsynth -ni -R 0 -C 0 -g 1 -r 44100 -F "$runs/account-beat.wav" "$kit/kit.sf2" "$runs/account-beat.mid" > /dev/null
sox -R "$runs/account-beat.wav" -b 16 "$out/beat.flac" remix - norm -1
for pad in "$kit"/samples/*.wav; do flac "$pad" "$out/kit/$(basename "${pad%.wav}").flac"; done

# The first held-out hit above moved along a slider that works (brightness) and one that does
# little (attack), as the page's slider moves it: five positions, −2 to +2, in one spectrogram.
trav="$runs/account-traversal"
rm -rf "$trav" && mkdir -p "$trav"
pinned encode "$repo/models/drums" "$report/audio/real/01.wav" --refine 0 --out "$trav/hit"
for control in brightness attack; do
  python3 "$repo/scripts/account/traversal.py" "$repo/models/drums/latent.json" "$trav/hit.npy" "$control" \
    "$trav/$control.npy"
  pinned decode "$repo/models/drums" "$trav/$control.npy" --out "$trav/$control"
  parts=()
  for wav in "$trav/$control"/*.wav; do
    parts+=("$wav" "|sox -n -r 44100 -c 1 -p trim 0 0.15")
  done
  sox "${parts[@]}" "$trav/$control-row.wav"
  flac "$trav/$control-row.wav" "$out/traversal-$control.flac"
  sox "$trav/$control-row.wav" -n remix - spectrogram -x 1000 -y 257 -z 90 \
    -t "the held-out hit 1 along $control: -2, -1, 0, +1, +2 standard deviations" -c "scripts/account/listen-first.sh" \
    -o "$new/traversal-$control.png"
done

rm -rf "$repo/docs/account/audio"
mv "$out" "$repo/docs/account/audio"
mv "$new"/traversal-*.png "$repo/docs/account/"
du -sh "$repo/docs/account/audio"
