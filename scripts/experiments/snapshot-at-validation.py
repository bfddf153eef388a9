#!/usr/bin/env python3
"""Issue 19: copies training runs at every validation, so that each copy can be evaluated later under
its run's name and `oneshot chart` draws one line per run (docs/benchmarks.md, "Confirming at 44.1 kHz"
and "The side by side to the end"; the runs of drums44-10k-run.sh, the copies evaluated by
eval-snapshots.sh and eval-refined.sh).

    scripts/experiments/snapshot-at-validation.py RUNS_DIR RUN… [--every SECONDS]

Watches RUNS_DIR/RUN for each RUN. When the run's weights (model.safetensors, which training rewrites
at every validation) reach a step whose checkpoint (train/checkpoint-STEP.safetensors) is written too,
the whole run folder is copied to RUNS_DIR/snapshots/RUN-STEP/RUN: the folder keeps the run's name, so
eval names the copy as the run, and train/ keeps the checkpoint eval reads the training time from.
A run stopped between validations writes its weights and a checkpoint at that step, which is copied
the same way (the doc's rows at steps 5,038 and 4,455 are such stops). It stops watching a run when it
has copied the run at its last step (train.steps) and exits when every run is done; Ctrl-C stops it.
Needs only the standard library; does no training, so it needs no core of its own.

Reconstructed from the doc's text ("A script … copied each run at every validation, and each copy was
evaluated under its run's name"; the original /work/runs/snapshot.py is lost): how it notices a
validation, the layout snapshots/RUN-STEP/RUN and the polling interval are this script's.
"""
import argparse
import json
import os
import shutil
import struct
import sys
import time


def weights_step(path):
    """The step in a safetensors file's metadata (Oneshot writes it into every weights file), or None."""
    try:
        with open(path, "rb") as f:
            size = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(size))
        return int(header["__metadata__"]["step"])
    except (OSError, ValueError, KeyError, struct.error):
        return None


def snapshot(runs, run, step):
    """Copies RUNS/RUN to RUNS/snapshots/RUN-STEP/RUN; True when the copy is whole and of that step."""
    target = os.path.join(runs, "snapshots", f"{run}-{step}")
    temporary = target + ".partial"
    shutil.rmtree(temporary, ignore_errors=True)
    try:
        # Oneshot writes files through hidden temporaries (.NAME.PID.GUID.tmp) and renames them: skip those.
        shutil.copytree(os.path.join(runs, run), os.path.join(temporary, run),
                        ignore=shutil.ignore_patterns(".*.tmp"))
    except (shutil.Error, OSError) as error:       # a checkpoint rotated away while it was copied: try again
        print(f"{run} at step {step}: copy failed ({error}); retrying", file=sys.stderr)
        shutil.rmtree(temporary, ignore_errors=True)
        return False
    if weights_step(os.path.join(temporary, run, "model.safetensors")) != step:
        shutil.rmtree(temporary, ignore_errors=True)
        return False
    os.rename(temporary, target)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs_dir")
    parser.add_argument("run", nargs="+")
    parser.add_argument("--every", type=float, default=60, help="seconds between looks (default 60)")
    args = parser.parse_args()
    runs = os.path.abspath(args.runs_dir)
    os.makedirs(os.path.join(runs, "snapshots"), exist_ok=True)
    watching = set(args.run)
    while watching:
        for run in sorted(watching):
            folder = os.path.join(runs, run)
            step = weights_step(os.path.join(folder, "model.safetensors"))
            if step is None:
                continue
            checkpoint = os.path.join(folder, "train", f"checkpoint-{step:08d}.safetensors")
            if not os.path.exists(checkpoint):
                continue
            if not os.path.isdir(os.path.join(runs, "snapshots", f"{run}-{step}")):
                if snapshot(runs, run, step):
                    print(f"{time.strftime('%H:%M:%S')} {run}: copied at step {step}", flush=True)
                else:
                    continue
            with open(os.path.join(folder, "config.json")) as f:
                if step >= json.load(f)["train"]["steps"]:
                    print(f"{run}: reached its last step ({step}); no longer watched", flush=True)
                    watching.discard(run)
        if watching:
            time.sleep(args.every)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
