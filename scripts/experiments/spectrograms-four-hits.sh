#!/usr/bin/env bash
# Issue 34: spectrograms of the same four held-out hits (the first test clip of the drums dataset in
# each of the classes kick, snare, hihat, cymbal, in dataset order: chosen by rule, not by ear),
# as prepared and as each model reconstructs them (the encoder's latent, no refining), in one image
# with a row per hit and a column per version (docs/benchmarks.md, the stage-2 sections).
#   scripts/experiments/spectrograms-four-hits.sh DATASET OUT.png MODEL…
# Needs sox and ImageMagick's montage (apt-get install sox imagemagick). Pinned to one core (CORE, default 0); ONESHOT=path runs a copy.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
if [ $# -lt 3 ]; then echo "usage: $0 DATASET OUT.png MODEL…" >&2; exit 2; fi
dataset="$1"; out="$2"; shift 2
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
python3 - "$dataset/meta.jsonl" > "$work/hits.tsv" <<'PY'
import json, sys
first = {}
for line in open(sys.argv[1]):
    row = json.loads(line)
    kind = row.get("labels", {}).get("class")
    if row["split"] == "test" and kind in ("kick", "snare", "hihat", "cymbal") and kind not in first:
        first[kind] = row["source"]
for kind in ("kick", "snare", "hihat", "cymbal"):
    print(f"{kind}\t{first[kind]}")
PY
cut -f2 "$work/hits.tsv" > "$work/files.txt"
columns=(original); tiles=()
for model in "$@"; do
  name="$(basename "$model")"; columns+=("$name")
  taskset -c "${CORE:-0}" "${ONESHOT:-$repo/oneshot}" reconstruct "$model" "$work/files.txt" --refine 0 -o "$work/$name" > /dev/null
done
while IFS=$'\t' read -r kind source; do
  stem="$(basename "${source%.*}")"
  for column in "${columns[@]}"; do
    if [ "$column" = original ]; then wav="$work/${columns[1]}/$stem.original.wav"; else wav="$work/$column/$stem.wav"; fi
    png="$work/$kind-$column.png"
    sox "$wav" -n remix 1 trim 0 0.75 spectrogram -x 360 -y 257 -z 90 -t "$kind - $column" -c "" -o "$png"
    tiles+=("$png")
  done
done < "$work/hits.tsv"
montage "${tiles[@]}" -tile "${#columns[@]}x4" -geometry +2+2 -colors 128 "PNG8:$out"
echo "wrote $out: rows $(cut -f1 "$work/hits.tsv" | tr '\n' ' ')· columns ${columns[*]}"
