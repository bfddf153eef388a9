using Oneshot.Audio;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Evaluation;

/// <summary>
/// The built-in embedder, for when no CLAP model is at hand: per mel band, the mean and standard
/// deviation over time of the log-mel spectrogram (64 bands, 20 Hz–16 kHz, at 44.1 kHz), 128 values,
/// in units of 100 dB and 10 dB, so they are of order one like a normalised CLAP embedding (KID's
/// polynomial kernel is not scale-free).
/// It sees timbre and how it moves, not semantics; its FAD is not comparable with CLAP's or with
/// published numbers, and every report names it.
/// Band power is floored 80 dB below a full-scale sine's (librosa's customary top_db = 80): one-shots
/// spend most of their length in a decaying tail, and without a floor the statistics were ruled by
/// level differences 100–150 dB below full scale, which nobody hears.
/// </summary>
public sealed class LogMelStatisticsEmbedder : IAudioEmbedder
{
    const int Rate = 44100;
    const int FftSize = 2048;
    const int Hop = 512;
    const int Mels = 64;
    const double FloorBelowFullScaleDb = 80;
    readonly Tensor _filters;
    readonly Tensor _window;
    readonly double _floorPower;

    public LogMelStatisticsEmbedder()
    {
        _filters = tensor(MelFilterbank.Create(Rate, FftSize, Mels, 20, 16000), [Mels, FftSize / 2 + 1])
            .DetachFromDisposeScope();
        _window = hann_window(FftSize).DetachFromDisposeScope();
        _floorPower = FullScaleSinePower() * Math.Pow(10, -FloorBelowFullScaleDb / 10);
    }

    /// <summary>The largest band power of a full-scale 1 kHz sine: the reference the floor is set against.</summary>
    double FullScaleSinePower()
    {
        using var scope = NewDisposeScope();
        var sine = tensor(Enumerable.Range(0, 4 * FftSize).Select(i => (float)Math.Sin(2 * Math.PI * 1000 * i / Rate))
            .ToArray());
        return _filters.matmul(PowerSpectrogram.Of(sine, FftSize, Hop, _window)).max().item<float>();
    }

    public string Name => "logmel-stats (built-in; not CLAP)";
    public string Identity => "logmel-stats-v3";
    public int Dimensions => 2 * Mels;

    public EmbeddingMatrix Embed(IReadOnlyList<float[]> clips, int sampleRate)
    {
        var values = new double[clips.Count * Dimensions];
        for (int i = 0; i < clips.Count; i++)
        {
            using var scope = NewDisposeScope();
            var samples = sampleRate == Rate ? clips[i] : Resampler.Resample(clips[i], sampleRate, Rate);
            if (samples.Length < FftSize) Array.Resize(ref samples, FftSize);
            var power = PowerSpectrogram.Of(tensor(samples), FftSize, Hop, _window);
            var logMel = _filters.matmul(power).ClampMin(_floorPower).log10().Times(10);          // [mels, frames], dB
            var row = cat([logMel.mean([1L]).DividedBy(100), logMel.std(1).DividedBy(10)]).to_type(ScalarType.Float64)
                .data<double>().ToArray();
            row.CopyTo(values, i * Dimensions);
        }
        return new EmbeddingMatrix(values, clips.Count, Dimensions);
    }

    public void Dispose()
    {
        _filters.Dispose();
        _window.Dispose();
    }
}
