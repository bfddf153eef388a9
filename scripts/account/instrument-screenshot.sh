#!/usr/bin/env bash
# docs/instrument.png (README and the account): the instrument page as a new user first sees it, with
# the shipped model, in a fresh Chromium profile (so it opens on a draw from the prior, not on a saved
# session), at 1280 × 800, a laptop's first screen.
#   scripts/account/instrument-screenshot.sh [OUT.png] [MODEL_DIR]
# Needs ./oneshot (./setup.sh build) and Debian's chromium. The draw is random, so each run shows
# another sound; the layout is what the picture is for. PORT chooses the server's port (default 5191);
# ONESHOT=path runs a copy of the program.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(realpath -m "${1:-$repo/docs/instrument.png}")"
model="${2:-$repo/models/drums}"
oneshot="${ONESHOT:-$repo/oneshot}"
port="${PORT:-5191}"
command -v chromium > /dev/null || { echo "chromium is missing: sudo apt-get install chromium" >&2; exit 1; }
[ -x "$oneshot" ] || { echo "$oneshot is missing: run ./setup.sh build first" >&2; exit 1; }

work="$(mktemp -d)"
"$oneshot" play "$model" --port "$port" > "$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2> /dev/null || true; rm -rf "$work"' EXIT

# The page asks the server for the model and a first draw; wait until the server answers.
for _ in $(seq 120); do
  curl -sf "http://localhost:$port/api/model" > /dev/null && break
  kill -0 "$server" 2> /dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.5
done
curl -sf "http://localhost:$port/api/model" > /dev/null ||
  { echo "the server did not answer on port $port in 60 s:" >&2; cat "$work/server.log" >&2; exit 1; }

# Virtual time lets the page's scripts fetch, decode and draw before the picture is taken.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --mute-audio \
  --user-data-dir="$work/profile" --window-size=1280,800 --virtual-time-budget=15000 \
  --screenshot="$out" "http://localhost:$port/" 2> "$work/chromium.log" ||
  { cat "$work/chromium.log" >&2; exit 1; }
echo "$out"
