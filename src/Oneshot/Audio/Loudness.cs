namespace Oneshot.Audio;

/// <summary>
/// Peak level and ITU-R BS.1770-4 integrated loudness (K-weighting, 400 ms blocks with 75 % overlap,
/// absolute gate at −70 LUFS, relative gate 10 LU below the ungated mean). Every channel has weight
/// 1 (mono and stereo; surround weights are not applied).
/// </summary>
public static class Loudness
{
    public const double AbsoluteGateLufs = -70;
    const double RelativeGateLu = -10;

    public static double PeakDb(ReadOnlySpan<float> samples)
    {
        float peak = 0;
        foreach (float x in samples) peak = Math.Max(peak, Math.Abs(x));
        return AmplitudeToDb(peak);
    }

    public static double AmplitudeToDb(double amplitude) =>
        amplitude > 0 ? 20 * Math.Log10(amplitude) : double.NegativeInfinity;
    public static double DbToAmplitude(double db) => Math.Pow(10, db / 20);

    public static double IntegratedLufs(float[] mono, int sampleRate) => IntegratedLufs([mono], sampleRate);

    /// <returns>Loudness in LUFS; −∞ when every block is below the absolute gate. A clip shorter
    /// than one 400 ms block is measured as a single block.</returns>
    public static double IntegratedLufs(float[][] channels, int sampleRate)
    {
        int length = channels[0].Length;
        if (length == 0) return double.NegativeInfinity;
        var weighted = channels.Select(c => KWeight(c, sampleRate)).ToArray();

        int block = (int)Math.Round(0.4 * sampleRate);
        int step = (int)Math.Round(0.1 * sampleRate);
        var blockPowers = new List<double>();
        if (length <= block)
        {
            blockPowers.Add(weighted.Sum(w => MeanSquare(w, 0, length)));
        }
        else
        {
            for (int start = 0; start + block <= length; start += step)
                blockPowers.Add(weighted.Sum(w => MeanSquare(w, start, block)));
        }

        var aboveAbsolute = blockPowers.Where(p => PowerToLufs(p) > AbsoluteGateLufs).ToList();
        if (aboveAbsolute.Count == 0) return double.NegativeInfinity;
        double relativeGate = PowerToLufs(aboveAbsolute.Average()) + RelativeGateLu;
        var gated = aboveAbsolute.Where(p => PowerToLufs(p) > relativeGate).ToList();
        return PowerToLufs(gated.Count > 0 ? gated.Average() : aboveAbsolute.Average());
    }

    static double PowerToLufs(double power) => power > 0 ? -0.691 + 10 * Math.Log10(power) : double.NegativeInfinity;

    static double MeanSquare(double[] x, int start, int count)
    {
        double sum = 0;
        for (int i = start; i < start + count; i++) sum += x[i] * x[i];
        return sum / count;
    }

    /// <summary>The K-weighting filter: a high-shelf "pre-filter" then the RLB high-pass.</summary>
    public static double[] KWeight(float[] x, int sampleRate)
    {
        var (shelfB, shelfA) = ShelfCoefficients(sampleRate);
        var (highpassB, highpassA) = HighpassCoefficients(sampleRate);
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = x[i];
        Biquad.Apply(y, shelfB, shelfA);
        Biquad.Apply(y, highpassB, highpassA);
        return y;
    }

    // The filters of BS.1770 are given as coefficients at 48 kHz; these analog-prototype parameters
    // reproduce them through the bilinear transform at any rate (the derivation used by libebur128).
    internal static (double[] B, double[] A) ShelfCoefficients(int sampleRate)
    {
        const double f0 = 1681.974450955533, gainDb = 3.999843853973347, q = 0.7071752369554196;
        double k = Math.Tan(Math.PI * f0 / sampleRate);
        double vh = Math.Pow(10, gainDb / 20);
        double vb = Math.Pow(vh, 0.4996667741545416);
        double a0 = 1 + k / q + k * k;
        return (
            [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0],
            [1, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]);
    }

    internal static (double[] B, double[] A) HighpassCoefficients(int sampleRate)
    {
        const double f0 = 38.13547087602444, q = 0.5003270373238773;
        double k = Math.Tan(Math.PI * f0 / sampleRate);
        double a0 = 1 + k / q + k * k;
        return ([1, -2, 1], [1, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]);
    }
}
