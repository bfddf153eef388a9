using Oneshot.Audio;

namespace Oneshot.Evaluation;

/// <param name="PitchedClips">Clips whose f0 confidence reached <see cref="PartialsKept.MinimumConfidence"/>; only they
/// are scored.</param>
/// <param name="Share">Mean over those clips of the share of their partials the other clip has; null when no clip is
/// pitched.</param>
/// <param name="Partials">Mean number of partials found per pitched original.</param>
public sealed record PartialsResult(int PitchedClips, double? Share, double Partials);

/// <summary>
/// Whether a reconstruction keeps the partials of a pitched sound (a bell, a struck bar, a tom's
/// modes): the prominent peaks of the original's spectrum over its first 300 ms, and the share of
/// them that the reconstruction also has within a quarter-tone. A smooth band of noise where the
/// bell rang keeps none; a copy keeps them all.
/// </summary>
/// <remarks>
/// The spectrum is the mean power of Hann-windowed 8192-point frames (hop 2048) inside the first
/// 300 ms (one zero-padded frame when 300 ms is shorter). A partial is a local maximum at 30 Hz or
/// more, within 30 dB of the loudest bin, standing at least 10 dB above the median of the
/// surrounding third of an octave; its frequency is refined by a parabola through the three dB
/// values around it; partials closer than a quarter-tone merge; at most the 24 loudest count.
/// </remarks>
public static class PartialsKept
{
    public const double MinimumConfidence = Descriptors.PitchedConfidence;
    public const double WindowSeconds = 0.3;
    public const int FftSize = 8192, Hop = 2048, MostPartials = 24;
    public const double RangeDb = 30, ProminenceDb = 10, ToleranceCents = 50, LowestHz = 30;

    /// <summary>The positions of the clips that count as pitched (YIN confidence of
    /// <see cref="Descriptors.Pitch"/>).</summary>
    public static int[] Pitched(IReadOnlyList<float[]> clips, int sampleRate) =>
        [.. Enumerable.Range(0, clips.Count)
            .Where(i => Descriptors.Pitch(clips[i], sampleRate).Confidence >= MinimumConfidence)];

    /// <summary>Mean share of each pitched original's partials that its counterpart keeps.</summary>
    /// <param name="pitched">From <see cref="Pitched"/> on the originals, so every candidate set is scored on the same
    /// clips.</param>
    public static PartialsResult Score(IReadOnlyList<float[]> originals, IReadOnlyList<float[]> candidates,
        int sampleRate, IReadOnlyList<int> pitched)
    {
        if (originals.Count != candidates.Count) throw new ArgumentException("One candidate per original is needed.");
        var shares = new List<double>();
        double partials = 0;
        foreach (int i in pitched)
        {
            var peaks = Peaks(originals[i], sampleRate);
            if (peaks.Count == 0) continue;
            partials += peaks.Count;
            shares.Add(Share(peaks, Peaks(candidates[i], sampleRate)));
        }
        return new PartialsResult(shares.Count, shares.Count > 0 ? shares.Average() : null,
            shares.Count > 0 ? partials / shares.Count : 0);
    }

    /// <summary>The share of <paramref name="original"/>'s partials that <paramref name="candidate"/> has within a
    /// quarter-tone.</summary>
    public static double Share(IReadOnlyList<double> original, IReadOnlyList<double> candidate) =>
        original.Count == 0 ? double.NaN
            : (double)original.Count(f =>
                candidate.Any(g => Math.Abs(1200 * Math.Log2(g / f)) <= ToleranceCents)) / original.Count;

    /// <summary>The frequencies (Hz) of the clip's partials, loudest first.</summary>
    public static IReadOnlyList<double> Peaks(float[] clip, int sampleRate)
    {
        double[] db = SpectrumDb(clip, sampleRate);
        double binHz = (double)sampleRate / FftSize;
        double loudest = db.Max();
        var found = new List<(double Hz, double Db)>();
        for (int k = Math.Max(1, (int)Math.Ceiling(LowestHz / binHz)); k < db.Length - 1; k++)
        {
            if (!(db[k] > db[k - 1] && db[k] >= db[k + 1]) || db[k] < loudest - RangeDb) continue;
            if (db[k] - Surroundings(db, k) < ProminenceDb) continue;
            // The vertex of the parabola through the three dB values: the partial between bins.
            double denominator = db[k - 1] - 2 * db[k] + db[k + 1];
            double offset = denominator < 0 ? 0.5 * (db[k - 1] - db[k + 1]) / denominator : 0;
            found.Add(((k + Math.Clamp(offset, -0.5, 0.5)) * binHz, db[k]));
        }
        var kept = new List<(double Hz, double Db)>();
        foreach (var peak in found.OrderByDescending(p => p.Db))
        {
            if (kept.Any(k => Math.Abs(1200 * Math.Log2(k.Hz / peak.Hz)) < ToleranceCents)) continue;
            kept.Add(peak);
            if (kept.Count == MostPartials) break;
        }
        return [.. kept.Select(p => p.Hz)];
    }

    /// <summary>The median dB over a third of an octave around bin k (at least five bins each side).</summary>
    static double Surroundings(double[] db, int k)
    {
        double ratio = Math.Pow(2, 1.0 / 6);   // ± a sixth of an octave
        int low = Math.Max(0, Math.Min(k - 5, (int)Math.Floor(k / ratio)));
        int high = Math.Min(db.Length - 1, Math.Max(k + 5, (int)Math.Ceiling(k * ratio)));
        var window = db[low..(high + 1)];
        Array.Sort(window);
        return window[window.Length / 2];
    }

    static double[] SpectrumDb(float[] clip, int sampleRate)
    {
        int span = Math.Min(clip.Length, (int)(WindowSeconds * sampleRate));
        var window = Fft.Hann(FftSize);
        var power = new double[FftSize / 2 + 1];
        int frames = 0;
        for (int start = 0; frames == 0 || start + FftSize <= span; start += Hop)
        {
            var frame = new double[FftSize];
            for (int i = 0; i < FftSize && start + i < span; i++) frame[i] = clip[start + i] * window[i];
            var spectrum = Fft.PowerSpectrum(frame);
            for (int k = 0; k < power.Length; k++) power[k] += spectrum[k];
            frames++;
        }
        // 1e-20 of power: far below anything audible, so silence gives no peaks but never −∞.
        return [.. power.Select(p => 10 * Math.Log10(p / frames + 1e-20))];
    }
}
