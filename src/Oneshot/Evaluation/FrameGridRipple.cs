using Oneshot.Audio;

namespace Oneshot.Evaluation;

/// <summary>
/// The frame-rate buzz, measured where it lives: the high band's envelope folded onto the decoder's
/// frame grid. <paramref name="OriginalsDb"/> and <paramref name="CandidatesDb"/> are the RMS in dB
/// of the clip-averaged folded envelope (what every clip shares at the same place in the frame);
/// the per-clip medians include each clip's own unlocked ripple.
/// </summary>
/// <param name="HopSamples">The decoder's frame: sample rate ÷ hop is the buzz's pitch (21.5 Hz for 2,048 samples at
/// 44.1 kHz).</param>
/// <param name="ShareAbove">Share of clips whose candidate's folded ripple exceeds its original's.</param>
public sealed record RippleResult(int HopSamples, int Clips, double OriginalsDb, double CandidatesDb,
                                  double ClipOriginalsMedianDb, double ClipCandidatesMedianDb, double ShareAbove);

/// <summary>
/// A decoder that starts from frames of H samples and upsamples them with transposed convolutions
/// repeats the same small envelope pattern in every frame, aligned with the clip's start: heard as a
/// buzz at sample rate ÷ H and seen as vertical stripes in a spectrogram's high band. Real sounds
/// have no reason to pulse in step with that grid, so their envelope folded onto it averages out.
/// </summary>
/// <remarks>
/// Per clip: the band above 2 kHz (two Butterworth high-pass sections); its RMS over H/32-sample
/// frames, in dB with a floor 60 dB under its peak; the part from the second frame of H samples (so
/// the attack's rise does not count) to where the full band falls 40 dB under its loudest; the trend
/// removed (minus a moving average over H samples); then averaged per position within the H-sample
/// frame. A clip is skipped when its high band never comes within 40 dB of the full band's peak or
/// when fewer than two frames of H remain.
/// </remarks>
public static class FrameGridRipple
{
    public const double HighBandHz = 2000, RangeDb = 40, FloorDb = 60;

    /// <summary>The clip's trend-free high-band envelope in dB at each of the hop's envelope frames
    /// (<see cref="FrameGrid"/>); null when the clip is skipped.</summary>
    public static double[]? Folded(float[] clip, int sampleRate, int hopSamples)
    {
        int step = FrameGrid.FrameSamples(hopSamples), positions = hopSamples / step;
        var full = FrameRms(Array.ConvertAll(clip, v => (double)v), step);
        var high = Array.ConvertAll(clip, v => (double)v);
        var (b, a) = Biquad.HighpassCoefficients(sampleRate, Math.Min(HighBandHz, 0.45 * sampleRate));
        Biquad.Apply(high, b, a);
        Biquad.Apply(high, b, a);
        var band = FrameRms(high, step);
        double peak = full.Max(), audible = peak * Math.Pow(10, -RangeDb / 20), bandPeak = band.Max();
        if (peak <= 0 || bandPeak < audible) return null;
        int first = positions, last = Array.FindLastIndex(full, v => v >= audible);
        if (last - first + 1 < 2 * positions) return null;
        double floor = bandPeak * Math.Pow(10, -FloorDb / 20);
        var db = band.Select(v => 20 * Math.Log10(Math.Max(v, floor))).ToArray();
        var sum = new double[positions];
        var count = new int[positions];
        for (int i = first; i <= last; i++)
        {
            int low = Math.Max(0, i - positions / 2), highEnd = Math.Min(db.Length - 1, i + positions / 2);
            double trend = 0;
            for (int k = low; k <= highEnd; k++) trend += db[k];
            sum[i % positions] += db[i] - trend / (highEnd - low + 1);
            count[i % positions]++;
        }
        return [.. sum.Select((v, p) => v / Math.Max(1, count[p]))];
    }

    /// <summary>RMS about its mean, in dB.</summary>
    public static double Ripple(IReadOnlyList<double> folded)
    {
        double mean = folded.Average();
        return Math.Sqrt(folded.Average(v => (v - mean) * (v - mean)));
    }

    public static RippleResult? Score(IReadOnlyList<float[]> originals, IReadOnlyList<float[]> candidates,
        int sampleRate, int hopSamples)
    {
        if (originals.Count != candidates.Count) throw new ArgumentException("One candidate per original is needed.");
        var pairs = new List<(double[] Original, double[] Candidate)>();
        for (int i = 0; i < originals.Count; i++)
            if (Folded(originals[i], sampleRate, hopSamples) is { } original
                && Folded(candidates[i], sampleRate, hopSamples) is { } candidate)
                pairs.Add((original, candidate));
        if (pairs.Count == 0) return null;
        double[] Average(Func<(double[] Original, double[] Candidate), double[]> pick) =>
            [.. Enumerable.Range(0, pick(pairs[0]).Length).Select(p => pairs.Average(x => pick(x)[p]))];
        static double Median(IEnumerable<double> values)
        {
            var s = values.OrderBy(v => v).ToArray();
            return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
        }
        return new RippleResult(hopSamples, pairs.Count, Ripple(Average(p => p.Original)),
            Ripple(Average(p => p.Candidate)),
            Median(pairs.Select(p => Ripple(p.Original))), Median(pairs.Select(p => Ripple(p.Candidate))),
            (double)pairs.Count(p => Ripple(p.Candidate) > Ripple(p.Original)) / pairs.Count);
    }

    static double[] FrameRms(double[] x, int step)
    {
        var rms = new double[x.Length / step];
        for (int f = 0; f < rms.Length; f++)
        {
            double sum = 0;
            for (int i = f * step; i < (f + 1) * step; i++) sum += x[i] * x[i];
            rms[f] = Math.Sqrt(sum / step);
        }
        return rms;
    }
}
