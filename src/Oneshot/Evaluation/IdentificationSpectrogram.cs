using Oneshot.Audio;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Evaluation;

/// <summary>
/// What identification compares clips by: the whole log-mel spectrogram (64 bands, 20 Hz–16 kHz,
/// 2048-point frames every 512 samples at 44.1 kHz) in dB below the clip's loudest band and frame,
/// floored 40 dB down, in units of 10 dB. Relative to the clip's own peak, so level does not count,
/// and floored where a listener stops attending, so a faint hiss in the tail does not count either.
/// Chosen by calibration on the drums test clips (docs/benchmarks.md): under the
/// embedder's statistics, a copy with white noise at −40 dBFS, plainly the same drum, was identified
/// 4 % of the time and a copy 6 dB quieter 44 %. Under this spectrogram: 100 % and 100 %, while a
/// 2 kHz low-pass (12 dB/oct) still costs 16 % and noise at −20 dBFS 63 %.
/// </summary>
public static class IdentificationSpectrogram
{
    const int Rate = 44100;
    const int FftSize = 2048;
    const int Hop = 512;
    const int Mels = 64;
    public const double FloorDb = 40;

    /// <summary>One row per clip: the flattened [bands, frames] spectrogram. Clips must share a length.
    /// Another floor is for calibration only (scripts/identification-calibration).</summary>
    public static EmbeddingMatrix Of(IReadOnlyList<float[]> clips, int sampleRate, double floorDb = FloorDb)
    {
        if (clips.Count == 0) throw new ArgumentException("no clips to compare", nameof(clips));
        using var outer = NewDisposeScope();
        var filters = tensor(MelFilterbank.Create(Rate, FftSize, Mels, 20, 16000), [Mels, FftSize / 2 + 1]);
        var window = hann_window(FftSize);
        double[]? values = null;
        int width = 0;
        for (int i = 0; i < clips.Count; i++)
        {
            using var scope = NewDisposeScope();
            var samples = sampleRate == Rate ? clips[i] : Resampler.Resample(clips[i], sampleRate, Rate);
            if (samples.Length < FftSize) Array.Resize(ref samples, FftSize);
            // Silence would make the peak 0 and every bin −∞; the tiny floor keeps it a flat, finite row.
            var db = filters.matmul(PowerSpectrogram.Of(tensor(samples), FftSize, Hop, window)).ClampMin(1e-20).log10()
                .Times(10);
            var relative = (db - db.max()).ClampMin(-floorDb).DividedBy(10);
            var row = relative.flatten().to_type(ScalarType.Float64).data<double>().ToArray();
            if (values is null)
            {
                width = row.Length;
                values = new double[clips.Count * width];
            }
            else if (row.Length != width)
                throw new ArgumentException($"clip {i} has {clips[i].Length} samples; identification compares clips " +
                    $"of one length", nameof(clips));
            row.CopyTo(values, i * width);
        }
        return new EmbeddingMatrix(values!, clips.Count, width);
    }
}
