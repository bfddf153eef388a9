using Oneshot.Audio;
using Oneshot.Model;
using static TorchSharp.torch;

namespace Oneshot.Evaluation;

/// <summary>Means over the clips; LsdDb and SnrDb as DrumGAN VST reports its encoder's round trip
/// (<see cref="ReconstructionMetrics"/>).</summary>
public sealed record SpectralScores(double Spectral, double LogMelL1, double SiSdrDb, double LsdDb, double SnrDb);

/// <summary>How close reconstructions are to their originals, averaged over the clips.</summary>
static class ReconstructionScores
{
    /// <summary>Means of the multi-scale spectral distance (the same STFT sizes for every model), log-mel L1, SI-SDR,
    /// log-spectral distance and SNR.</summary>
    public static SpectralScores Spectra(IReadOnlyList<float[]> originals, IReadOnlyList<float[]> reconstructions,
        int sampleRate)
    {
        using var metrics = new ReconstructionMetrics(sampleRate);
        double spectral = 0, logMel = 0, siSdr = 0, lsd = 0, snr = 0;
        using var _ = no_grad();
        for (int start = 0; start < originals.Count; start += 16)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(16, originals.Count - start);
            var x = stack(originals.Skip(start).Take(count).Select(c => tensor(c)).ToArray());
            var y = stack(reconstructions.Skip(start).Take(count).Select(c => tensor(c)).ToArray());
            spectral += metrics.Spectral(x, y).sum().item<float>();
            logMel += metrics.LogMelL1(x, y).sum().item<float>();
            siSdr += ReconstructionMetrics.SiSdr(x, y).sum().item<float>();
            lsd += metrics.LogSpectralDistanceDb(x, y).sum().item<float>();
            snr += ReconstructionMetrics.Snr(x, y).sum().item<float>();
        }
        int n = originals.Count;
        return new SpectralScores(spectral / n, logMel / n, siSdr / n, lsd / n, snr / n);
    }

    /// <summary>Mean absolute attack-time and decay-time differences in milliseconds
    /// (<see cref="Descriptors.Envelope"/>).</summary>
    public static (double AttackMs, double DecayMs) Envelopes(float[][] originals, float[][] reconstructions,
        int sampleRate)
    {
        double attack = 0, decay = 0;
        for (int i = 0; i < originals.Length; i++)
        {
            var a = Descriptors.Envelope(originals[i], sampleRate);
            var b = Descriptors.Envelope(reconstructions[i], sampleRate);
            attack += Math.Abs(a.AttackSeconds - b.AttackSeconds);
            decay += Math.Abs(a.DecaySeconds - b.DecaySeconds);
        }
        return (1000 * attack / originals.Length, 1000 * decay / originals.Length);
    }
}
