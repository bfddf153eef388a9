#!/usr/bin/env python3
"""Issue 34, the grown decoder: how loud a model's damped modes are (ModeBranch), for latents drawn
around the training latents (latent.json's mean ± std): the largest amplitude of any mode, and how
many modes reach −40 dBFS, per latent. Reads model.safetensors and config.json directly, with the
standard library only (the two small layers in plain Python: a few seconds).

    scripts/experiments/mode-amplitudes.py MODEL [--latents 64] [--checkpoint MODEL/train/checkpoint-N.safetensors]

--checkpoint reads the weights of a training checkpoint (under "model.") instead of MODEL's own, so a
run can be looked at between validations.
"""
import argparse, json, math, random, struct

parser = argparse.ArgumentParser()
parser.add_argument("model")
parser.add_argument("--latents", type=int, default=64)
parser.add_argument("--checkpoint")
args = parser.parse_args()
config = json.load(open(f"{args.model}/config.json"))["model"]
modes = config["modes"]
if modes == 0: raise SystemExit(f"{args.model} has no modes (model.modes is 0)")
prefix = "model." if args.checkpoint else ""
with open(args.checkpoint or f"{args.model}/model.safetensors", "rb") as f:
    size = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(size))
    body = f.read()
def tensor(name):
    """A float32 tensor as a list of rows (or a flat list for a vector)."""
    entry = header[prefix + name]; start, end = entry["data_offsets"]
    if entry["dtype"] != "F32": raise SystemExit(f"{name} is {entry['dtype']}; this reads float32 weights (not a --float16 pack)")
    values = struct.unpack(f"<{(end - start) // 4}f", body[start:end])
    if len(entry["shape"]) == 1: return list(values)
    columns = entry["shape"][1]
    return [values[r * columns:(r + 1) * columns] for r in range(entry["shape"][0])]
def layer(x, weight, bias): return [sum(w * v for w, v in zip(row, x)) + b for row, b in zip(weight, bias)]
latent = json.load(open(f"{args.model}/latent.json"))
random.seed(1)
hidden_w, hidden_b = tensor("modes.hidden.weight"), tensor("modes.hidden.bias")
output_w, output_b = tensor("modes.output.weight")[:modes], tensor("modes.output.bias")[:modes]   # the amplitude rows
loudest, above = [], []
for _ in range(args.latents):
    z = [m + s * random.gauss(0, 1) for m, s in zip(latent["mean"], latent["std"])]
    hidden = [v if v > 0 else 0.2 * v for v in layer(z, hidden_w, hidden_b)]
    amplitude = [math.log1p(math.exp(v)) for v in layer(hidden, output_w, output_b)]
    loudest.append(max(amplitude)); above.append(sum(a > 0.01 for a in amplitude))
loudest.sort()
print(f"{args.model}: {modes} modes, {args.latents} latents around the training latents")
print(f"  loudest mode per latent: median {20 * math.log10(loudest[len(loudest) // 2]):.1f} dBFS, max {20 * math.log10(loudest[-1]):.1f} dBFS")
print(f"  modes above -40 dBFS per latent: mean {sum(above) / len(above):.1f}")
