using Oneshot.Audio;

namespace Oneshot.Tests.Audio;

/// <summary>
/// Stated limits of the resampler, measured with stepped sine sweeps: pass band (up to 0.9 of the
/// lower Nyquist) flat within ±0.05 dB; anything above the output Nyquist attenuated by at least
/// 90 dB; images of an upsampled sine at least 90 dB down.
/// </summary>
public class ResamplerTests
{
    const double PassbandRippleDb = 0.05;
    const double StopbandDb = -90;

    [Theory]
    [InlineData(48000, 44100)]
    [InlineData(44100, 48000)]
    [InlineData(22050, 44100)]
    [InlineData(96000, 44100)]
    [InlineData(44100, 16000)]
    public void Passband_is_flat(int from, int to)
    {
        double nyquist = Math.Min(from, to) / 2.0;
        foreach (double fraction in Sweep(0.02, 0.9, 16))
        {
            double f = fraction * nyquist;
            var output = Resampler.Resample(Signals.Sine(f, from, from / 2, amplitude: 0.5), from, to);
            var (amplitude, residual) = Fit(output, f, to);
            double gainDb = 20 * Math.Log10(amplitude / 0.5);
            Assert.True(Math.Abs(gainDb) < PassbandRippleDb, $"{from}→{to} Hz: gain {gainDb:0.0000} dB at {f:0} Hz");
            double residualDb = 20 * Math.Log10(residual / 0.5);
            Assert.True(residualDb < StopbandDb, $"{from}→{to} Hz: distortion/images at {residualDb:0.0} dB for a " +
                $"{f:0} Hz sine");
        }
    }

    [Theory]
    [InlineData(48000, 22050)]
    [InlineData(96000, 44100)]
    [InlineData(48000, 44100)]
    public void Above_the_output_Nyquist_nothing_aliases(int from, int to)
    {
        double outNyquist = to / 2.0, inNyquist = from / 2.0;
        foreach (double f in Sweep(outNyquist * 1.01, inNyquist * 0.98, 12))
        {
            var output = Resampler.Resample(Signals.Sine(f, from, from / 2, amplitude: 0.5), from, to);
            double levelDb = 20 * Math.Log10(Signals.Rms(output.AsSpan(300, output.Length - 600)) * Math.Sqrt(2) / 0.5);
            Assert.True(levelDb < StopbandDb, $"{from}→{to} Hz: a {f:0} Hz sine aliases at {levelDb:0.0} dB");
        }
    }

    /// <summary>
    /// The fast kernel (training augmentation: retuning 44.1 kHz clips by a few semitones): flat
    /// within ±0.01 dB to 0.8 of the lower Nyquist, distortion at least 70 dB down there, and
    /// tones from 1.15 of the output Nyquist up attenuated by at least 70 dB: what aliases lands in
    /// the top tenth of the band, faintly.
    /// </summary>
    [Theory]
    [InlineData(44100, 41624)]   // up a semitone
    [InlineData(44100, 37083)]   // up three
    [InlineData(44100, 52444)]   // down three
    public void Fast_kernel_is_clean_enough_for_retuning(int from, int to)
    {
        double nyquist = Math.Min(from, to) / 2.0;
        foreach (double fraction in Sweep(0.02, 0.8, 10))
        {
            double f = fraction * nyquist;
            var output = Resampler.Resample(Signals.Sine(f, from, from / 2, amplitude: 0.5), from, to,
                ResamplingKernel.Fast);
            var (amplitude, residual) = Fit(output, f, to);
            double gainDb = 20 * Math.Log10(amplitude / 0.5), residualDb = 20 * Math.Log10(residual / 0.5);
            Assert.True(Math.Abs(gainDb) < 0.01, $"{from}→{to} Hz: gain {gainDb:0.0000} dB at {f:0} Hz");
            Assert.True(residualDb < -70, $"{from}→{to} Hz: distortion at {residualDb:0.0} dB for a {f:0} Hz sine");
        }
        if (to / 2.0 * 1.15 < from / 2.0 * 0.98)   // only when there are such tones below the input Nyquist
        {
            foreach (double f in Sweep(to / 2.0 * 1.15, from / 2.0 * 0.98, 8))
            {
                var output = Resampler.Resample(Signals.Sine(f, from, from / 2, amplitude: 0.5), from, to,
                    ResamplingKernel.Fast);
                double levelDb =
                    20 * Math.Log10(Signals.Rms(output.AsSpan(300, output.Length - 600)) * Math.Sqrt(2) / 0.5);
                Assert.True(levelDb < -70, $"{from}→{to} Hz: a {f:0} Hz sine aliases at {levelDb:0.0} dB");
            }
        }
    }

    [Fact]
    public void Length_follows_the_ratio()
    {
        Assert.Equal(44100, Resampler.Resample(new float[48000], 48000, 44100).Length);
        Assert.Equal(2 * 1001, Resampler.Resample(new float[1001], 22050, 44100).Length);
        var same = new float[] { 1, 2, 3 };
        Assert.Equal(same, Resampler.Resample(same, 44100, 44100));
    }

    static IEnumerable<double> Sweep(double from, double to, int steps) =>
        Enumerable.Range(0, steps).Select(i => from * Math.Pow(to / from, i / (double)(steps - 1)));

    /// <summary>Least-squares sine fit at a known frequency, away from the edges: amplitude and residual RMS.</summary>
    static (double Amplitude, double Residual) Fit(float[] y, double frequency, int rate)
    {
        int margin = 400;
        double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
        for (int n = margin; n < y.Length - margin; n++)
        {
            double s = Math.Sin(2 * Math.PI * frequency * n / rate), c = Math.Cos(2 * Math.PI * frequency * n / rate);
            ss += s * s; cc += c * c; sc += s * c; ys += y[n] * s; yc += y[n] * c;
        }
        double det = ss * cc - sc * sc;
        double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
        double residual = 0;
        int count = 0;
        for (int n = margin; n < y.Length - margin; n++, count++)
        {
            double model = a * Math.Sin(2 * Math.PI * frequency * n / rate)
                + b * Math.Cos(2 * Math.PI * frequency * n / rate);
            residual += (y[n] - model) * (y[n] - model);
        }
        return (Math.Sqrt(a * a + b * b), Math.Sqrt(residual / count) * Math.Sqrt(2));
    }
}
