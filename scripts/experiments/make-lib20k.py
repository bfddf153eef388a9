#!/usr/bin/env python3
"""Issues 21 and 23: the generated library of docs/benchmarks.md, "Big libraries (issue 21) …" ("The
20,000-file library": `oneshot data prepare` on 2,000 and on 20,000 files, wall time and peak memory)
and "The sound map (issue 23)" (a map of 5,000 of the files, lib20k/sub5k).

What the doc records of the original (/work/runs/lib20k/make.py, lost): 20,000 generated one-shots of
0.5 s at 44.1 kHz, decaying sines with noise, no two alike; 10,000 WAV and 10,000 FLAC files in 200
folders of 100; made as two long files split by sox; the map took 5,000 of them, 50 folders of WAV
files. What it does not record is this script's own choice, reconstructed: how many sines a sound has
and their frequencies, decays and levels, the noise, the sample format (16-bit), the names of files
and folders. So these are not the original files. The preparation numbers depend on what the doc
gives (how many files, which formats, how long, how they are laid out); numbers that depend on what
the sounds are (the map's neighbours kept, its t-SNE time) may differ.

    /usr/bin/python3 scripts/experiments/make-lib20k.py OUT_DIR [--seed 1]

Needs numpy (Debian's python3-numpy, which /usr/bin/python3 has) and sox. Writes
    OUT_DIR/all/d000 … d099    100 WAV files each  (10,000)
    OUT_DIR/all/d100 … d199    100 FLAC files each (10,000)
    OUT_DIR/sub2k/             d000–d009 and d100–d109: 1,000 WAV and 1,000 FLAC (the "2,000 files" rows)
    OUT_DIR/sub5k/             d000–d049: 5,000 WAV files in 50 folders (the map's)
the subsets as hard links to the same files. Then, as the doc measured:
    /usr/bin/time -v taskset -c 0 oneshot data prepare OUT_DIR/all --out X --threads 1
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import wave

import numpy as np

RATE = 44100
LENGTH = RATE // 2          # 0.5 s
PER_FORMAT = 10_000
PER_FOLDER = 100


def sound(rng, t):
    """One decaying sound: one to three decaying sines and a decaying burst of noise (reconstructed ranges)."""
    x = np.zeros_like(t)
    f0 = 40.0 * 100.0 ** rng.random()                         # 40 Hz – 4 kHz, log-uniform
    for k in range(int(rng.integers(1, 4))):
        f = f0 if k == 0 else min(f0 * rng.uniform(1.3, 5.0), 18000.0)
        decay = 0.01 * 30.0 ** rng.random()                  # time constant 10–300 ms
        level = 1.0 if k == 0 else rng.uniform(0.1, 0.8)
        x += level * np.exp(-t / decay) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    noise_decay = 0.003 * 30.0 ** rng.random()                # 3–90 ms
    noise_level = 10 ** (rng.uniform(-40, -6) / 20)
    x += noise_level * np.exp(-t / noise_decay) * rng.standard_normal(len(t))
    x *= 10 ** (rng.uniform(-12, -1) / 20) / np.max(np.abs(x))   # peak −12 to −1 dBFS
    return np.round(x * 32767).astype("<i2")


def long_file(path, rng, t, seen):
    """PER_FORMAT sounds one after another in one 16-bit WAV file; every sound's bytes must be new."""
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        for _ in range(PER_FORMAT):
            data = sound(rng, t).tobytes()
            digest = hashlib.sha256(data).digest()
            if digest in seen:
                sys.exit("two sounds came out alike; try another --seed")
            seen.add(digest)
            w.writeframes(data)


def split(path, folder, extension):
    """sox cuts the long file into PER_FORMAT files of LENGTH samples: piece001.EXT, piece002.EXT, …"""
    os.makedirs(folder)
    subprocess.run(["sox", path, os.path.join(folder, "piece." + extension),
                    "trim", "0", f"{LENGTH}s", ":", "newfile", ":", "restart"], check=True)
    pieces = sorted((int(m.group(1)), name) for name in os.listdir(folder)
                    if (m := re.fullmatch(r"piece(\d+)\." + extension, name)))
    for _, name in pieces[PER_FORMAT:]:                       # sox may leave an empty last piece
        samples = subprocess.run(["soxi", "-s", os.path.join(folder, name)], check=True,
                                 capture_output=True, text=True).stdout.strip()
        if samples != "0":
            sys.exit(f"sox made more than {PER_FORMAT} pieces of {path}")
        os.remove(os.path.join(folder, name))
    if len(pieces) < PER_FORMAT:
        sys.exit(f"sox made {len(pieces)} pieces of {path}, not {PER_FORMAT}")
    return [os.path.join(folder, name) for _, name in pieces[:PER_FORMAT]]


def link_folders(out, subset, folders):
    for folder in folders:
        source, target = os.path.join(out, "all", folder), os.path.join(out, subset, folder)
        os.makedirs(target)
        for name in sorted(os.listdir(source)):
            try:
                os.link(os.path.join(source, name), os.path.join(target, name))
            except OSError:
                shutil.copy2(os.path.join(source, name), os.path.join(target, name))


def main():
    parser = argparse.ArgumentParser(description="The 20,000-file generated library of docs/benchmarks.md (reconstructed).")
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    out = os.path.abspath(args.out_dir)
    if os.path.exists(os.path.join(out, "all")):
        sys.exit(f"{out}/all exists already")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    t = np.arange(LENGTH) / RATE
    seen = set()
    index = 0
    for first_folder, extension in ((0, "wav"), (PER_FORMAT // PER_FOLDER, "flac")):
        long_path = os.path.join(out, f"long-{extension}.wav")
        print(f"writing {long_path} ({PER_FORMAT} sounds)", flush=True)
        long_file(long_path, rng, t, seen)
        print(f"splitting it into {extension.upper()} files with sox", flush=True)
        pieces = split(long_path, os.path.join(out, f"pieces-{extension}"), extension)
        for k, piece in enumerate(pieces):
            folder = os.path.join(out, "all", f"d{first_folder + k // PER_FOLDER:03d}")
            os.makedirs(folder, exist_ok=True)
            os.rename(piece, os.path.join(folder, f"hit-{index:05d}.{extension}"))
            index += 1
        os.rmdir(os.path.join(out, f"pieces-{extension}"))
        os.remove(long_path)
    link_folders(out, "sub2k", [f"d{i:03d}" for i in list(range(0, 10)) + list(range(100, 110))])
    link_folders(out, "sub5k", [f"d{i:03d}" for i in range(0, 50)])
    print(f"{index} files in {out}/all (200 folders), subsets sub2k and sub5k", flush=True)


if __name__ == "__main__":
    main()
