namespace Oneshot.Audio;

/// <summary>Second-order IIR sections, coefficients normalised so a[0] = 1.</summary>
public static class Biquad
{
    /// <summary>Filters x in place (direct form I).</summary>
    public static void Apply(double[] x, double[] b, double[] a)
    {
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double input = x[i];
            double output = b[0] * input + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2;
            x2 = x1; x1 = input; y2 = y1; y1 = output;
            x[i] = output;
        }
    }

    /// <summary>A Butterworth (Q = 1/√2) low-pass at cutoffHz, through the bilinear transform: −3 dB at the cutoff, −12
    /// dB per octave above it.</summary>
    public static (double[] B, double[] A) LowpassCoefficients(int sampleRate, double cutoffHz)
    {
        const double q = 0.7071067811865476;
        double k = Math.Tan(Math.PI * cutoffHz / sampleRate);
        double a0 = 1 + k / q + k * k;
        double b0 = k * k / a0;
        return ([b0, 2 * b0, b0], [1, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]);
    }

    /// <summary>A Butterworth (Q = 1/√2) high-pass at cutoffHz, through the bilinear transform: −3 dB at the cutoff,
    /// −12 dB per octave below it.</summary>
    public static (double[] B, double[] A) HighpassCoefficients(int sampleRate, double cutoffHz)
    {
        const double q = 0.7071067811865476;
        double k = Math.Tan(Math.PI * cutoffHz / sampleRate);
        double a0 = 1 + k / q + k * k;
        double b0 = 1 / a0;
        return ([b0, -2 * b0, b0], [1, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]);
    }

    /// <summary>
    /// A high shelf (the Audio EQ Cookbook's, slope 1) at cornerHz: 0 dB at DC, gainDb at Nyquist,
    /// half the gain in dB at the corner.
    /// </summary>
    public static (double[] B, double[] A) HighShelfCoefficients(int sampleRate, double cornerHz, double gainDb)
    {
        double a = Math.Pow(10, gainDb / 40), w = 2 * Math.PI * cornerHz / sampleRate;
        double cos = Math.Cos(w), twoRootAAlpha = 2 * Math.Sqrt(a) * Math.Sin(w) / 2 * Math.Sqrt(2);
        double a0 = (a + 1) - (a - 1) * cos + twoRootAAlpha;
        return (
            [a * ((a + 1) + (a - 1) * cos + twoRootAAlpha) / a0, -2 * a * ((a - 1) + (a + 1) * cos) / a0,
                a * ((a + 1) + (a - 1) * cos - twoRootAAlpha) / a0],
            [1, 2 * ((a - 1) - (a + 1) * cos) / a0, ((a + 1) - (a - 1) * cos - twoRootAAlpha) / a0]);
    }
}
