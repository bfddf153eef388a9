namespace Oneshot.Audio;

/// <summary>In-place iterative radix-2 complex FFT (power-of-two sizes), enough for descriptors.</summary>
public static class Fft
{
    public static void Forward(double[] re, double[] im)
    {
        int n = re.Length;
        if (n == 0 || (n & (n - 1)) != 0) throw new ArgumentException("FFT size must be a power of two", nameof(re));
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) { (re[i], re[j]) = (re[j], re[i]); (im[i], im[j]) = (im[j], im[i]); }
        }
        for (int size = 2; size <= n; size <<= 1)
        {
            double angle = -2 * Math.PI / size;
            double wRe = Math.Cos(angle), wIm = Math.Sin(angle);
            for (int start = 0; start < n; start += size)
            {
                double uRe = 1, uIm = 0;
                for (int k = 0; k < size / 2; k++)
                {
                    int a = start + k, b = a + size / 2;
                    double tRe = re[b] * uRe - im[b] * uIm;
                    double tIm = re[b] * uIm + im[b] * uRe;
                    re[b] = re[a] - tRe; im[b] = im[a] - tIm;
                    re[a] += tRe; im[a] += tIm;
                    double next = uRe * wRe - uIm * wIm;
                    uIm = uRe * wIm + uIm * wRe;
                    uRe = next;
                }
            }
        }
    }

    /// <summary>Power spectrum |X[k]|², k = 0 … n/2, of a real frame (already windowed).</summary>
    public static double[] PowerSpectrum(ReadOnlySpan<double> frame)
    {
        var re = frame.ToArray();
        var im = new double[re.Length];
        Forward(re, im);
        var power = new double[re.Length / 2 + 1];
        for (int k = 0; k < power.Length; k++) power[k] = re[k] * re[k] + im[k] * im[k];
        return power;
    }

    public static double[] Hann(int n)
    {
        var w = new double[n];
        for (int i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / n);
        return w;
    }
}
