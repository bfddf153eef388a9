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
/// line (over many clips; a batch of 8 originals reads 0.01–0.14 dB²), so the target is 0. A
/// differentiable cousin of the frame-grid ripple `oneshot eval` reports (Evaluation/FrameGridRipple.cs):
/// the same grid (<see cref="FrameGrid"/>), but on STFT frames four envelope frames long, each frame
/// gated on its own, in dB² rather than dB.
/// </summary>
public sealed class GridRippleLoss : IDisposable
{
    const double HighBandHz = 2000, FloorDb = 60, AudibleDb = 40;
    readonly int _step, _positions, _fftSize, _lowestBin;
    readonly Tensor _window;

    public GridRippleLoss(int hopSamples, int sampleRate)
    {
        _step = FrameGrid.FrameSamples(hopSamples);
        _positions = hopSamples / _step;
        _fftSize = Math.Max(16, 4 * _step);
        _lowestBin = (int)Math.Ceiling(Math.Min(HighBandHz, 0.45 * sampleRate) * _fftSize / sampleRate);
        _window = hann_window(_fftSize).DetachFromDisposeScope();
    }

    /// <summary>The variance in dB² of the batch's folded high-band envelope; [B, T] clips.</summary>
    public Tensor Compute(Tensor clips)
    {
        var power = PowerSpectrogram.Of(clips, _fftSize, _step, _window.to(clips.device));   // [B, bins, frames]; frame i centred on sample i·step
        var band = power.narrow(1, _lowestBin, power.shape[1] - _lowestBin).sum(1);        // [B, frames]
        var full = power.sum(1);
        var floor = band.amax([-1L], keepdim: true).Times(Math.Pow(10, -FloorDb / 10)).Plus(1e-20);
        var db = band.Plus(floor).log10().Times(10);
        // The trend: a moving average over one hop (positions + 1 frames), edges replicated.
        int p = _positions;
        var padded = nn.functional.pad(db.unsqueeze(1), [p / 2, p - p / 2], PaddingModes.Replicate);
        var detrended = db - nn.functional.avg_pool1d(padded, p + 1, 1).squeeze(1);
        // From the second frame of the grid on (the attack's rise is no pulse), whole frames, where the clip is audible.
        long frames = (db.shape[1] - p) / p * p;
        if (frames <= 0) return zeros(1, device: clips.device).sum();   // a clip shorter than two frames has no grid to fold onto
        var audible = full.detach().ge(full.detach().amax([-1L], keepdim: true).Times(Math.Pow(10, -AudibleDb / 10))).to(ScalarType.Float32);
        // Folded per clip, then averaged with every clip counting once, as the evaluation does: pooling the
        // frames would let a 1.5 s cymbal outvote the short hits where the buzz is heard.
        long clipsCount = clips.shape[0];
        var weight = audible.narrow(1, p, frames).reshape(clipsCount, -1, p);                 // [B, n, positions]
        var values = detrended.narrow(1, p, frames).reshape(clipsCount, -1, p);
        var counts = weight.sum(1);                                                             // [B, positions]
        var perClip = (values * weight).sum(1) / counts.clamp_min(Scalars.One);
        var folded = counts.amin([-1L]).ge(Scalars.One).to(ScalarType.Float32);               // clips audible at every position
        var profile = (perClip * folded.unsqueeze(1)).sum(0L) / folded.sum().clamp_min(Scalars.One);   // [positions]
        return (profile - profile.mean()).Squared().mean();
    }

    public void Dispose() => _window.Dispose();
}
