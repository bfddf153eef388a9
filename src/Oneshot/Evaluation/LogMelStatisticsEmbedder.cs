using Oneshot.Audio;
using Oneshot.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Evaluation;

/// <summary>
/// The built-in embedder, for when no CLAP model is at hand: per mel band, the mean and standard
/// deviation over time of the log-mel spectrogram (64 bands, 20 Hz–16 kHz, at 44.1 kHz), 128 values,
/// in units of 100 dB and 10 dB, so they are of order one like a normalised CLAP embedding (KID's
/// polynomial kernel is not scale-free).
/// It sees timbre and how it moves, not semantics; its FAD is not comparable with CLAP's or with
/// published numbers, and every report names it.
/// </summary>
public sealed class LogMelStatisticsEmbedder : IAudioEmbedder
{
    const int Rate = 44100;
    const int FftSize = 2048;
    const int Hop = 512;
    const int Mels = 64;
    readonly Tensor _filters;
    readonly Tensor _window;

    public LogMelStatisticsEmbedder()
    {
        _filters = tensor(MelFilterbank.Create(Rate, FftSize, Mels, 20, 16000), [Mels, FftSize / 2 + 1]).DetachFromDisposeScope();
        _window = hann_window(FftSize).DetachFromDisposeScope();
    }

    public string Name => "logmel-stats (built-in; not CLAP)";
    public string Identity => "logmel-stats-v2";
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
            var logMel = _filters.matmul(power).Plus(1e-10).log10().Times(10);          // [mels, frames], dB
            var row = cat([logMel.mean([1L]).DividedBy(100), logMel.std(1).DividedBy(10)]).to_type(ScalarType.Float64).data<double>().ToArray();
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
