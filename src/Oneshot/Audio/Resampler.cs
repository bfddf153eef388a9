namespace Oneshot.Audio;

/// <summary>
/// Band-limited resampling between any two rates with a Kaiser-windowed sinc.
/// Design (in units of the lower of the two rates): pass band to 0.45 (0.9 of Nyquist), stop band
/// from 0.5, 100 dB attenuation, so Kaiser β = 0.1102·(100 − 8.7) and 2·64 taps of half-width;
/// measured in ResamplerTests. The kernel is tabulated at 512 points per tap and interpolated
/// linearly (interpolation error below −110 dB), which serves every rate ratio, rational or not.
/// </summary>
public static class Resampler
{
    const double Cutoff = 0.475;          // cycles per sample of the lower rate: middle of the transition band
    const int HalfWidth = 64;             // taps each side, in samples of the lower rate
    const double Beta = 0.1102 * (100 - 8.7);
    const int TableResolution = 512;

    static readonly Lazy<double[]> Kernel = new(BuildKernel);

    public static AudioData Resample(AudioData audio, int targetRate)
    {
        if (audio.SampleRate == targetRate) return audio;
        var channels = audio.Channels.Select(c => Resample(c, audio.SampleRate, targetRate)).ToArray();
        return new AudioData(targetRate, channels);
    }

    public static float[] Resample(float[] input, int sourceRate, int targetRate)
    {
        if (sourceRate <= 0 || targetRate <= 0) throw new ArgumentOutOfRangeException(nameof(sourceRate), "sample rates must be positive");
        if (sourceRate == targetRate) return (float[])input.Clone();

        var table = Kernel.Value;
        long outputLength = ((long)input.Length * targetRate + sourceRate / 2) / sourceRate;
        var output = new float[outputLength];
        // `scale` maps input-sample distances to the lower rate's units.
        double scale = Math.Min(1.0, (double)targetRate / sourceRate);
        double reach = HalfWidth / scale;    // kernel half-width in input samples

        for (long n = 0; n < outputLength; n++)
        {
            // Exact position of output sample n on the input grid: n·source/target.
            long numerator = n * sourceRate;
            long whole = numerator / targetRate;
            double position = whole + (double)(numerator % targetRate) / targetRate;
            int first = (int)Math.Max(0, Math.Ceiling(position - reach));
            int last = (int)Math.Min(input.Length - 1, Math.Floor(position + reach));
            double sum = 0;
            for (int k = first; k <= last; k++)
            {
                double x = Math.Abs(position - k) * scale * TableResolution;
                int i = (int)x;
                if (i >= table.Length - 1) continue;
                double frac = x - i;
                sum += input[k] * (table[i] + (table[i + 1] - table[i]) * frac);
            }
            output[n] = (float)(sum * scale);
        }
        return output;
    }

    // h(t) = 2·fc·sinc(2·fc·t)·kaiser(t / HalfWidth), t ≥ 0 in samples of the lower rate.
    static double[] BuildKernel()
    {
        var table = new double[HalfWidth * TableResolution + 2];
        double i0Beta = BesselI0(Beta);
        for (int i = 0; i < table.Length; i++)
        {
            double t = (double)i / TableResolution;
            double ratio = t / HalfWidth;
            if (ratio >= 1) { table[i] = 0; continue; }
            double window = BesselI0(Beta * Math.Sqrt(1 - ratio * ratio)) / i0Beta;
            double argument = 2 * Cutoff * t;
            double sinc = argument == 0 ? 1 : Math.Sin(Math.PI * argument) / (Math.PI * argument);
            table[i] = 2 * Cutoff * sinc * window;
        }
        return table;
    }

    internal static double BesselI0(double x)
    {
        // Power series; converges quickly for the β values used here.
        double sum = 1, term = 1, half = x / 2;
        for (int k = 1; k < 200; k++)
        {
            term *= half / k;
            double squared = term * term;
            sum += squared;
            if (squared < sum * 1e-17) break;
        }
        return sum;
    }
}
