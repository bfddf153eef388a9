#!/usr/bin/env bash
# One command for a fresh Debian/Ubuntu machine with the .NET 10 SDK:
#   ./setup.sh quickstart   install what Oneshot needs, build it, run `oneshot quickstart`
#   ./setup.sh test         install what the tests need, build, run the whole test suite
#   ./setup.sh build        install and build only
#   ./setup.sh build --cuda build with TorchSharp's CUDA package instead of the CPU one (README, "A GPU")
set -euo pipefail
cd "$(dirname "$0")"

mode="${1:-build}"
shift || true

# System packages. Runtime: libsndfile1 decodes FLAC, Ogg, MP3 and AIFF in-process, ffmpeg anything else, libfluidsynth3 + fluid-soundfont-gm
# render the `notes` recipe, hydrogen-drumkits is the `drums` recipe. Tests also use sox (to write
# WAV files in every format), python3-numpy (to check clips.npy and the metrics from Python), binutils
# (readelf, to check the TorchSharp library patch), chromium (the browser tests drive Debian's
# chromium through Playwright; Playwright's own browser download is neither needed nor possible),
# and libxml2-utils with hydrogen-data (xmllint checks an exported kit against Hydrogen's drumkit.xsd).
runtime_packages=(ffmpeg libsndfile1 libfluidsynth3 fluid-soundfont-gm hydrogen-drumkits)
test_packages=(sox python3-numpy binutils chromium libxml2-utils hydrogen-data)

packages=("${runtime_packages[@]}")
[ "$mode" = "test" ] && packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing system packages: ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo_cmd=(sudo)
    else
      echo "error: need root to install ${missing[*]}; run as root or install them with apt-get" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK (dotnet) is not on PATH; install it first: https://dot.net" >&2
  exit 1
fi

configuration=Release
[ "$mode" = "test" ] && configuration=Debug

build_properties=()
if [ "$mode" = "build" ] && [ "${1:-}" = "--cuda" ]; then
  shift
  # TorchSharp-cuda-linux brings libtorch for CUDA 12 (several GB); it needs an NVIDIA driver at run time.
  build_properties+=(-p:OneshotCuda=true)
  echo "==> building with TorchSharp's CUDA package (TorchSharp-cuda-linux)"
fi

echo "==> restoring and building ($configuration)"
dotnet build Oneshot.slnx -c "$configuration" -nologo -v quiet -clp:NoSummary "${build_properties[@]}"

case "$mode" in
  build)
    echo "==> built: run ./oneshot --help"
    ;;
  quickstart)
    exec ./oneshot quickstart "$@"
    ;;
  test)
    exec bash scripts/run-tests.sh "$configuration" "$@"
    ;;
  *)
    echo "usage: ./setup.sh [build [--cuda]|quickstart|test]" >&2
    exit 2
    ;;
esac
