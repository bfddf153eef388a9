#!/usr/bin/env python3
"""The flows ablation's tables for docs/account.md (issue 37, item 5), from the evaluations that
scripts/experiments/flows-ablation.sh writes.

    scripts/account/ablation-table.py RUNS_DIR [--seeds 1 2] [--keep DIR]

Reads RUNS_DIR/eval-abl-{none,iaf}-sSEED/metrics.json (and each run's newest checkpoint, or the
cost.json --keep wrote in its place, for the steps and CPU-hours it cost: the arms are matched in
steps; a step's CPU time moves with the machine's load as well as with the posterior flow) and
prints Markdown: reconstruction and latent per posterior arm, samples per posterior x prior, and
which differences stand out of the run-to-run noise. A cell shows the mean over the seeds found, then each seed's value in
parentheses. A difference "stands out" when the two arms' seed ranges do not overlap (every seed of one is
better than every seed of the other); with one seed per arm nothing can be said to, and the
script says so. With no real effect, two seeds against two fall apart that way one time in three,
so the measures named in advance (PRIMARY: held-out top-1 and partials for the posterior, FAD and
test-kit NLL for the prior) are listed first and the rest marked as context.

--keep DIR copies what the tables are made from (each metrics.json, and each run's cost as
abl-…/cost.json) into DIR in the same layout, so `ablation-table.py DIR` prints the same tables once
the runs' folders are gone: docs/account/ablation/ is such a copy.
"""
import argparse
import glob
import json
import os
import re
import shutil
import struct
import sys

POSTERIORS = [("none", "none"), ("iaf", "IAF")]
PRIORS = [("standard", "N(0, I)"), ("gaussian", "full Gaussian"), ("gmm", "GMM"), ("nsf", "NSF"), ("maf", "MAF")]

# (label, how to read it from a model's entry, format, True when higher is better)
RECONSTRUCTION = [
    ("held-out top-1 %", lambda m: 100 * m["reconstruction"]["identification"]["top1"], "{:.1f}", True),
    ("same class %", lambda m: 100 * m["reconstruction"]["identification"]["same_class"], "{:.1f}", True),
    ("partials kept %", lambda m: 100 * m["reconstruction"]["partials"]["share"], "{:.1f}", True),
    ("attack error ms", lambda m: m["reconstruction"]["attack_error_ms"], "{:.1f}", False),
    ("LSD dB", lambda m: m["reconstruction"]["lsd_db"], "{:.2f}", False),
    ("SNR dB", lambda m: m["reconstruction"]["snr_db"], "{:.2f}", True),
    ("KL per dimension", lambda m: m["latent"]["kl_per_dimension"], "{:.2f}", None),
    ("active units", lambda m: m["latent"]["active_units"], "{:.0f}", True),
]
SAMPLES = [
    ("FAD", lambda g: g["versus_test"]["fad"], "{:.2f}", False),
    ("KID", lambda g: g["versus_test"]["kid"]["mean"], "{:.3f}", False),
    ("precision", lambda g: g["versus_test"]["manifold"]["precision"], "{:.2f}", True),
    ("recall", lambda g: g["versus_test"]["manifold"]["recall"], "{:.2f}", True),
    ("density", lambda g: g["versus_test"]["manifold"]["density"], "{:.2f}", None),
    ("coverage", lambda g: g["versus_test"]["manifold"]["coverage"], "{:.2f}", True),
    ("Vendi", lambda g: g["versus_test"]["candidate_vendi"], "{:.2f}", None),
]
NLL = ("test-kit NLL per dimension", "{:.3f}", False)
PRIMARY = {"held-out top-1 %", "partials kept %", "FAD", NLL[0]}


def load(runs, posterior, seed):
    path = os.path.join(runs, f"eval-abl-{posterior}-s{seed}", "metrics.json")
    if not os.path.exists(path):
        return None
    with open(path) as file:
        report = json.load(file)
    models = {}
    for model in report["models"]:
        match = re.search(r"-prior-(\w+)$", model["name"]) or re.search(r"-prior-(\w+)$", model["directory"])
        if match is None:
            sys.exit(f"{path}: model '{model['name']}' is not an ablation prior folder (…-prior-KIND)")
        models[match.group(1)] = model
    return report, models


def training_cost(runs, posterior, seed):
    """(step, CPU-hours, skipped steps) of the run's newest checkpoint, from its safetensors metadata
    (VaeCheckpointState) or from the cost.json --keep wrote; None when neither is there."""
    kept = os.path.join(runs, f"abl-{posterior}-s{seed}", "cost.json")
    if os.path.exists(kept):
        with open(kept) as file:
            cost = json.load(file)
        return cost["step"], cost["cpu_hours"], cost["skipped_steps"]
    checkpoints = sorted(glob.glob(os.path.join(runs, f"abl-{posterior}-s{seed}", "train", "checkpoint-*.safetensors")))
    if not checkpoints:
        return None
    with open(checkpoints[-1], "rb") as file:
        header = json.loads(file.read(struct.unpack("<Q", file.read(8))[0]))
    meta = header.get("__metadata__", {})
    if "cpu_s" not in meta:
        return None
    return int(meta["step"]), float(meta["cpu_s"]) / 3600, int(meta.get("skipped_steps", 0))


def generation(model, kind):
    """The samples of the model's own prior: the trained entry, or N(0, I) for the standard folder."""
    entries = model["generation"]
    for entry in entries:
        if entry["prior"] == "trained" and entry.get("prior_kind") == kind:
            return entry
    for entry in entries:
        if entry.get("prior_kind") == kind:
            return entry
    sys.exit(f"model '{model['name']}' has no samples from a {kind} prior")


def test_nll(model, kind):
    nll = model["latent"]["prior_nll_per_dimension"]
    return nll["standard"] if kind == "standard" else nll.get("trained")


def cell(values, form):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    def shown(value):
        return form.format(value).replace("-", "−")   # the docs' minus sign
    mean = sum(values) / len(values)
    if len(values) == 1:
        return shown(mean)
    return shown(mean) + " (" + ", ".join(shown(v) for v in values) + ")"


def separated(a, b, higher_better):
    """Which arm wins with no overlap of the seed ranges, or None."""
    if len(a) < 2 or len(b) < 2 or higher_better is None:
        return None
    if min(a) > max(b):
        return "first" if higher_better else "second"
    if min(b) > max(a):
        return "second" if higher_better else "first"
    return None


def keep(runs, into, found):
    if os.path.abspath(runs) == os.path.abspath(into):
        sys.exit("--keep DIR must be another folder than RUNS_DIR")
    for posterior, seed in found:
        evaluation = f"eval-abl-{posterior}-s{seed}"
        os.makedirs(os.path.join(into, evaluation), exist_ok=True)
        shutil.copyfile(os.path.join(runs, evaluation, "metrics.json"), os.path.join(into, evaluation, "metrics.json"))
        cost = training_cost(runs, posterior, seed)
        if cost is None:
            sys.exit(f"{runs}/abl-{posterior}-s{seed}: no checkpoint with a CPU time to keep")
        run = os.path.join(into, f"abl-{posterior}-s{seed}")
        os.makedirs(run, exist_ok=True)
        with open(os.path.join(run, "cost.json"), "w") as file:
            json.dump({"step": cost[0], "cpu_hours": round(cost[1], 4), "skipped_steps": cost[2]}, file)
            file.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--keep", metavar="DIR", help="copy the metrics and costs read into DIR")
    args = parser.parse_args()

    found = {}   # (posterior, seed) -> models by prior kind
    real = None
    for posterior, _ in POSTERIORS:
        for seed in args.seeds:
            loaded = load(args.runs, posterior, seed)
            if loaded:
                report, models = loaded
                found[(posterior, seed)] = models
                real = real or report["real_train_versus_test"]
    if not found:
        sys.exit(f"no eval-abl-*-s* folder with metrics.json in {args.runs}: run flows-ablation.sh … eval first")

    if args.keep:
        keep(args.runs, args.keep, sorted(found))

    def seeds_of(posterior):
        return [seed for seed in args.seeds if (posterior, seed) in found]

    print("Runs found: " + ", ".join(f"{p} seed {s}" for (p, s) in sorted(found)) + ".\n")

    print("**Reconstruction and latent, per posterior arm** (158 held-out test clips; the prior does not enter):\n")
    print("| posterior | seeds | " + " | ".join(label for label, *_ in RECONSTRUCTION) +
          " | steps, CPU-hours, skipped steps |")
    print("|---|---|" + "---|" * (len(RECONSTRUCTION) + 1))
    reconstruction = {}
    for posterior, name in POSTERIORS:
        seeds = seeds_of(posterior)
        if not seeds:
            continue
        row = []
        for label, read, form, _ in RECONSTRUCTION:
            # every prior folder of a run shares its encoder and decoder: any one gives these
            values = [read(next(iter(found[(posterior, s)].values()))) for s in seeds]
            reconstruction[(posterior, label)] = values
            row.append(cell(values, form))
        costs = [training_cost(args.runs, posterior, s) for s in seeds]
        row.append("; ".join(f"{c[0]:,}, {c[1]:.2f}, {c[2]}" if c else "—" for c in costs))
        print(f"| {name} | {', '.join(map(str, seeds))} | " + " | ".join(row) + " |")

    print("\n**Samples, per posterior × prior** (158 samples each against the 158 test clips, built-in "
          "embedder, seed 1):\n")
    columns = [label for label, *_ in SAMPLES] + [NLL[0]]
    print("| posterior | prior | " + " | ".join(columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    samples = {}
    for posterior, name in POSTERIORS:
        seeds = seeds_of(posterior)
        for kind, prior_name in PRIORS:
            present = [s for s in seeds if kind in found[(posterior, s)]]
            if not present:
                continue
            row = []
            for label, read, form, _ in SAMPLES:
                values = [read(generation(found[(posterior, s)][kind], kind)) for s in present]
                samples[(posterior, kind, label)] = values
                row.append(cell(values, form))
            values = [test_nll(found[(posterior, s)][kind], kind) for s in present]
            samples[(posterior, kind, NLL[0])] = values
            row.append(cell(values, NLL[1]))
            print(f"| {name} | {prior_name} | " + " | ".join(row) + " |")
    if real:
        # the real training clips against the test clips, read as a prior's samples are (same fields)
        row = [cell([read({"versus_test": real})], form) for _, read, form, _ in SAMPLES]
        print("| *real training clips* | — | " + " | ".join(row) + " | — |")

    print("\n**What stands out of the noise** (seed ranges that do not overlap):\n")
    if all(len(seeds_of(p)) < 2 for p, _ in POSTERIORS):
        print("- One seed per arm so far: no difference can be told from run-to-run noise yet.")
        return
    lines = []
    for label, _, _, higher in RECONSTRUCTION:
        a, b = reconstruction.get(("none", label), []), reconstruction.get(("iaf", label), [])
        winner = separated(a, b, higher)
        if winner:
            lines.append((f"- {label}: {'no posterior flow' if winner == 'first' else 'IAF'} is better on every "
                          "seed.", label))
    for posterior, name in POSTERIORS:
        for kind, prior_name in PRIORS[1:]:
            for label, higher in [(s[0], s[3]) for s in SAMPLES] + [(NLL[0], NLL[2])]:
                a = samples.get((posterior, "standard", label), [])
                b = samples.get((posterior, kind, label), [])
                winner = separated(a, b, higher)
                if winner:
                    better = "N(0, I)" if winner == "first" else prior_name
                    lines.append((f"- posterior {name}, {prior_name} against N(0, I), {label}: {better} is better "
                                  "on every seed.", label))
    for kind, prior_name in PRIORS:
        for label, higher in [(s[0], s[3]) for s in SAMPLES]:
            winner = separated(samples.get(("none", kind, label), []), samples.get(("iaf", kind, label), []), higher)
            if winner:
                lines.append((f"- prior {prior_name}, {label}: "
                              f"{'no posterior flow' if winner == 'first' else 'IAF'} is better on every seed.", label))
    primary = [line for line, label in lines if label in PRIMARY]
    context = [line + " (context)" for line, label in lines if label not in PRIMARY]
    print("\n".join(primary + context) if lines else
          "- Nothing: every difference between arms is inside the seeds' spread.")
    print("\nWith no real effect, two seeds against two fall apart like this one time in three; the measures "
          "named in advance are held-out top-1 and partials (posterior), FAD and test-kit NLL (prior).")


if __name__ == "__main__":
    main()
