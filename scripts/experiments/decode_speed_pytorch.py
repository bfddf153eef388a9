#!/usr/bin/env python3
"""Issue 33: the `cpu` preset's decoder re-implemented in PyTorch, to time one decode against Oneshot's.

The same layers, shapes and order as src/Oneshot/Model/Decoder.cs and Pqmf.cs (weight normalisation
folded, as `Freeze` does for inference), with random weights: the time does not depend on their
values. Not part of the project; Debian's python3-torch (PyTorch 1.13) runs it:

    taskset -c 0 python3 scripts/experiments/decode_speed_pytorch.py [--threads 1] [--repeats 200] [--mkldnn 0|1]

It prints the median and 90th percentile of decoding one latent (latent → bands → PQMF synthesis),
as `oneshot bench` reports Oneshot's ("Decode one clip").
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--repeats", type=int, default=200)
parser.add_argument("--mkldnn", type=int, default=1, help="1: PyTorch's default (oneDNN where it chooses); 0: its own kernels")
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.backends.mkldnn.enabled = bool(args.mkldnn)

LATENT, BOTTLENECK, FRAMES, BANDS, SLOPE = 64, 64, 32, 16, 0.2
CHANNELS = [32, 64, 128, 256, 512]        # ChannelsAt(0..4): capacity 32 doubled per stage, at most 512
RATIOS = [4, 4, 4, 2]
DILATIONS = [1, 3, 9]
PQMF_TAPS = 367                           # the 16-band bank at 90 dB (Pqmf.DesignBank)
PHASE_TAPS = (PQMF_TAPS + BANDS - 1) // BANDS

g = torch.Generator().manual_seed(0)
def weight(*shape):
    return torch.randn(*shape, generator=g) / (shape[1] * shape[-1]) ** 0.5

head_w, head_b = weight(BOTTLENECK * FRAMES, LATENT, 1)[..., 0], torch.zeros(BOTTLENECK * FRAMES)
input_w, input_b = weight(CHANNELS[4], BOTTLENECK, 3), torch.zeros(CHANNELS[4])
stages = []
for i in reversed(range(len(RATIOS))):
    cin, cout, r = CHANNELS[i + 1], CHANNELS[i], RATIOS[i]
    up_w = weight(cin, cout, 2 * r)       # transposed: [in, out, k]
    units = [(weight(cout, cout, 3), torch.zeros(cout), d, weight(cout, cout, 1), torch.zeros(cout)) for d in DILATIONS]
    stages.append((up_w, torch.zeros(cout), r, units))
output_w, output_b = weight(2 * BANDS, CHANNELS[0], 7), torch.zeros(2 * BANDS)
synthesis = weight(BANDS, BANDS, PHASE_TAPS)


def decode(z):
    h = F.linear(z, head_w, head_b).view(z.shape[0], BOTTLENECK, FRAMES)
    h = F.conv1d(h, input_w, input_b, padding=1)
    for up_w, up_b, r, units in stages:
        h = F.conv_transpose1d(F.leaky_relu(h, SLOPE), up_w, up_b, stride=r, padding=r // 2)
        for dw, db, d, pw, pb in units:
            y = F.conv1d(F.leaky_relu(h, SLOPE), dw, db, padding=d, dilation=d)
            h = h + F.conv1d(F.leaky_relu(y, SLOPE), pw, pb)
    h = F.conv1d(F.leaky_relu(h, SLOPE), output_w, output_b, padding=3)
    bands = h[:, :BANDS] * torch.sigmoid(h[:, BANDS:])
    # PQMF synthesis in polyphase form, as Pqmf.Synthesis
    length = bands.shape[-1] * BANDS
    phases = F.conv1d(F.pad(bands, (PHASE_TAPS - 1, PHASE_TAPS - 1)), synthesis)
    return phases.transpose(1, 2).reshape(z.shape[0], -1)[:, (PQMF_TAPS - 1) // 2:(PQMF_TAPS - 1) // 2 + length]


z = torch.randn(1, LATENT, generator=g)
times = []
with torch.inference_mode():
    for i in range(args.repeats + 5):
        start = time.perf_counter()
        clip = decode(z)
        clip.sum().item()
        if i >= 5:
            times.append((time.perf_counter() - start) * 1000)
times.sort()
print(f"PyTorch {torch.__version__}, {args.threads} thread(s), oneDNN {'on' if args.mkldnn else 'off'}: "
      f"decode one clip median {statistics.median(times):.2f} ms, p90 {times[int(len(times) * 0.9)]:.2f} ms "
      f"(output {tuple(clip.shape)})")
