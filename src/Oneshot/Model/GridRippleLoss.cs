using Oneshot.Audio;
using Oneshot.TorchInterop;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>
/// A training penalty on the decoder's frame-rate buzz (docs/benchmarks.md, "Stage 2 from the
/// shipped weights: what a step costs"): the high band's envelope in dB, trend removed, folded onto
/// the decoder's hop per clip and averaged over the batch's clips — the shape every decoded clip
/// shares at the same place in the frame — and its variance in dB². Real clips fold to a nearly flat
/// line, so the target is 0. A differentiable twin of the frame-grid ripple `oneshot eval` reports
/// (Evaluation/FrameGridRipple.cs): the same envelope frames (<see cref="FrameGrid"/>, RMS over whole
/// sample frames), the same 60 dB floor, the same span (from the second hop to the last frame within
/// 40 dB of the loudest) and the same clips; the band is cut by zeroing the spectrum under 2 kHz
/// rather than by Butterworth sections, and the trend's window is replicated at the edges.
/// </summary>
/// <remarks>
/// A first version read the envelope from 4-frame Hann-windowed STFT frames: it smoothed away the
/// finer steps the upsampling grid leaves every 512 samples, so training drove it down while the
/// evaluation's ripple did not move (benchmarks.md, "the per-clip penalty").
/// </remarks>
public sealed class GridRippleLoss
{
    const double HighBandHz = 2000, FloorDb = 60, AudibleDb = 40;
    readonly int _step, _positions, _sampleRate;

    public GridRippleLoss(int hopSamples, int sampleRate)
    {
        _step = FrameGrid.FrameSamples(hopSamples);
        _positions = hopSamples / _step;
        _sampleRate = sampleRate;
    }

    /// <summary>The variance in dB² of the batch's folded high-band envelope; [B, T] clips.</summary>
    public Tensor Compute(Tensor clips)
    {
        long length = clips.shape[1];
        var spectrum = fft.rfft(clips, dim: -1);
        long lowest = (long)Math.Ceiling(Math.Min(HighBandHz, 0.45 * _sampleRate) * length / _sampleRate);
        var keep = ones(spectrum.shape[1], device: clips.device);
        keep.narrow(0, 0, Math.Min(lowest, spectrum.shape[1])).zero_();
        var high = fft.irfft(spectrum * keep, length, dim: -1);
        var band = FramePower(high);                                                            // [B, frames]
        var full = FramePower(clips).detach();
        var bandPeak = band.amax([-1L], keepdim: true);
        var db = band.Plus(bandPeak.Times(Math.Pow(10, -FloorDb / 10)).Plus(1e-20)).log10().Times(10);
        // The trend: a moving average over one hop (positions + 1 frames), edges replicated.
        int p = _positions;
        var padded = nn.functional.pad(db.unsqueeze(1), [p / 2, p - p / 2], PaddingModes.Replicate);
        var detrended = db - nn.functional.avg_pool1d(padded, p + 1, 1).squeeze(1);
        // From the second frame of the grid on (the attack's rise is no pulse), whole frames, where the clip is
        // audible.
        long frames = (db.shape[1] - p) / p * p;
        if (frames <= 0)
            return zeros(1, device: clips.device).sum();   // a clip shorter than two frames has no grid to fold onto
        var fullPeak = full.amax([-1L], keepdim: true).Times(Math.Pow(10, -AudibleDb / 10));
        // As the evaluation: every frame from the grid's second frame to the last one within 40 dB of the loudest.
        var index = tensor(Enumerable.Range(0, (int)full.shape[1]).Select(i => (float)i).ToArray()).to(clips.device)
            .unsqueeze(0);
        // [B, 1]; −1 for a silent clip
        var last = (full.ge(fullPeak).to(ScalarType.Float32) * index.Plus(1)).amax([-1L], keepdim: true).Minus(1);
        var audible = index.le(last).to(ScalarType.Float32);
        // A clip whose high band never comes within 40 dB of its loudest moment has no buzz to hear; the evaluation
        // skips it too.
        var hasBand = bandPeak.detach().ge(fullPeak).to(ScalarType.Float32) * fullPeak.gt(Scalars.Of(0))
            .to(ScalarType.Float32);
        // Folded per clip, then averaged with every clip counting once, as the evaluation does: pooling the
        // frames would let a 1.5 s cymbal outvote the short hits where the buzz is heard.
        long clipsCount = clips.shape[0];
        var weight = audible.narrow(1, p, frames).reshape(clipsCount, -1, p);                 // [B, n, positions]
        var values = detrended.narrow(1, p, frames).reshape(clipsCount, -1, p);
        var counts = weight.sum(1);                                                             // [B, positions]
        var perClip = (values * weight).sum(1) / counts.clamp_min(Scalars.One);
        // Clips whose audible part spans two whole hops after the first, as the evaluation requires.
        var folded = last.squeeze(1).ge(Scalars.Of(3 * p - 1)).to(ScalarType.Float32) * hasBand.squeeze(1);
        var profile = (perClip * folded.unsqueeze(1)).sum(0L) / folded.sum().clamp_min(Scalars.One);   // [positions]
        return (profile - profile.mean()).Squared().mean();
    }

    /// <summary>Mean power over whole frames of the grid's frame length: [B, T] → [B, T / frame].</summary>
    Tensor FramePower(Tensor x) => nn.functional.avg_pool1d(x.Squared().unsqueeze(1), _step, _step).squeeze(1);
}
