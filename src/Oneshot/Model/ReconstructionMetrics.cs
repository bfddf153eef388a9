using Oneshot.Audio;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>How close reconstructions are to their originals, per clip.</summary>
public sealed class ReconstructionMetrics : IDisposable
{
    const int MelFft = 2048;
    const int MelHop = 512;
    const int Mels = 80;
    readonly Tensor _melFilters;   // [mels, bins]
    readonly Tensor _window;
    // The same sizes and ε for every model, whatever its training loss, so numbers compare.
    static readonly int[] SpectralSizes = [2048, 1024, 512, 256, 128];
    readonly SpectralLoss _spectral = new(SpectralSizes);

    public ReconstructionMetrics(int sampleRate)
    {
        _melFilters = tensor(MelFilterbank.Create(sampleRate, MelFft, Mels, 0, sampleRate / 2.0),
            [Mels, MelFft / 2 + 1]).DetachFromDisposeScope();
        _window = hann_window(MelFft).DetachFromDisposeScope();
    }

    /// <summary>Multi-scale spectral distance (STFT sizes 2048 … 128, ε = 1e-7), per clip.</summary>
    public Tensor Spectral(Tensor target, Tensor prediction) => _spectral.PerItem(target, prediction);

    /// <summary>Whether a model's full-band training loss is this spectral distance (same sizes, ε = 1e-7), so it can
    /// be reused.</summary>
    public static bool SpectralIsTrainingLoss(ModelConfig config) =>
        config.SpectralFloorDb is null && config.StftSizes.SequenceEqual(SpectralSizes);

    /// <summary>Mean |log(mel(x) + 1e-5) − log(mel(y) + 1e-5)| of 80-band power mel spectrograms (n_fft 2048, hop
    /// 512).</summary>
    public Tensor LogMelL1(Tensor target, Tensor prediction) =>
        (LogMel(target) - LogMel(prediction)).abs().mean([1L, 2L]);

    public Tensor LogMel(Tensor x)
    {
        var power = PowerSpectrogram.Of(x, MelFft, MelHop, _window.to(x.device));
        return _melFilters.to(x.device).matmul(power).Plus(1e-5).log();
    }

    /// <summary>
    /// Log-spectral distance in dB per clip, the measure DrumGAN VST reports for its encoder's round
    /// trip: over Hann-windowed 2048-point frames (hop 512), the root mean square over frequency of
    /// 10·log10 of the power ratio, averaged over the frames where the original is audible (within
    /// 60 dB of its loudest frame). Both powers are floored 80 dB below the original's loudest bin,
    /// so a one-shot's silent tail and a hiss nobody hears do not decide the score.
    /// </summary>
    public Tensor LogSpectralDistanceDb(Tensor target, Tensor prediction)
    {
        var window = _window.to(target.device);
        var x = PowerSpectrogram.Of(target, MelFft, MelHop, window);   // [clips, bins, frames]
        var y = PowerSpectrogram.Of(prediction, MelFft, MelHop, window);
        var floor = x.amax([-2L, -1L], keepdim: true).Times(FloorRatio).Plus(1e-20);
        // [clips, frames]
        var perFrame = (x.Plus(floor).log10() - y.Plus(floor).log10()).Times(10).Squared().mean([-2L]).sqrt();
        var energy = x.sum(-2);
        var audible = energy.ge(energy.amax([-1L], keepdim: true).Times(AudibleRatio)).to(ScalarType.Float32);
        return (perFrame * audible).sum(-1) / audible.sum(-1);
    }

    const double FloorRatio = 1e-8, AudibleRatio = 1e-6;

    /// <summary>Signal-to-noise ratio in dB per clip, 10·log10(Σx² / Σ(x − y)²): unlike SI-SDR, level and polarity
    /// count.</summary>
    public static Tensor Snr(Tensor target, Tensor prediction) =>
        (target.Squared().sum(-1).Plus(1e-12) / (target - prediction).Squared().sum(-1).Plus(1e-12)).log10().Times(10);

    /// <summary>Scale-invariant signal-to-distortion ratio in dB (Le Roux et al. 2019), per clip.</summary>
    public static Tensor SiSdr(Tensor target, Tensor prediction)
    {
        var x = target - target.mean([-1L], keepdim: true);
        var y = prediction - prediction.mean([-1L], keepdim: true);
        var scale = (x * y).sum(-1, keepdim: true) / x.Squared().sum(-1, keepdim: true).Plus(1e-8);
        var projection = scale * x;
        return (projection.Squared().sum(-1).Plus(1e-8) / (y - projection).Squared().sum(-1).Plus(1e-8)).log10()
            .Times(10);
    }

    public void Dispose()
    {
        _melFilters.Dispose();
        _window.Dispose();
        _spectral.Dispose();
    }
}
