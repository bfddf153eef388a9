using Oneshot.Audio;
using Oneshot.Model;

namespace Oneshot.Training;

/// <summary>
/// What the batch loader does to a training clip: a random gain, a small delay, sometimes a random
/// all-pass filter (phase only), and, when turned on, a retuning and a brighter or darker tone.
/// The last two are what kits differ in, so they teach the model kits it has not heard.
/// </summary>
public static class Augmentation
{
    /// <summary>What <see cref="Apply"/> drew for one clip.</summary>
    public sealed record Drawn(double GainDb, double Semitones, double ShelfDb);

    public static Drawn Apply(ReadOnlySpan<float> clip, Span<float> output, int sampleRate, TrainConfig config,
        Random random)
    {
        // The draws keep the order they had before retuning and tone existed, and those draw only
        // when turned on, so a run without them sees the batches it always saw.
        int shift = (int)(random.NextDouble() * config.AugmentShiftMs / 1000 * sampleRate);
        double gain = Math.Pow(10, (random.NextDouble() * 2 - 1) * config.AugmentGainDb / 20);
        // RAVE's "phase mangle": a second-order all-pass, poles at radius 0.99 and a random
        // frequency between 20 Hz and 2 kHz (log-uniform). Magnitude untouched, phase smeared.
        double? allpassHz = random.NextDouble() < config.AugmentAllpassProbability
            ? 20 * Math.Pow(100, random.NextDouble()) : null;
        double semitones = config.AugmentPitchSemitones > 0
            ? (random.NextDouble() * 2 - 1) * config.AugmentPitchSemitones : 0;
        double shelfDb = 0, shelfHz = 0;
        if (config.AugmentShelfDb > 0)
        {
            shelfDb = (random.NextDouble() * 2 - 1) * config.AugmentShelfDb;
            shelfHz = 1000 * Math.Pow(4, random.NextDouble());
        }

        ReadOnlySpan<float> source = semitones == 0 ? clip
            : Retuning.Retune(clip, sampleRate, semitones, ResamplingKernel.Fast);
        output[..shift].Clear();
        for (int t = shift; t < output.Length; t++) output[t] = (float)(source[t - shift] * gain);
        if (shelfDb != 0) Shelve(output, sampleRate, shelfHz, shelfDb);
        if (allpassHz is double frequency) Allpass(output, 0.99, 2 * Math.PI * frequency / sampleRate);
        return new Drawn(20 * Math.Log10(gain), semitones, shelfDb);
    }

    /// <summary>
    /// The descriptors of an augmented clip, from the original's (meta.jsonl) and what was drawn: a
    /// retuning by r = 2^(semitones/12) multiplies f0 and the centroid by r and divides attack and
    /// decay by r (the clip plays r times faster); loudness, cheap to measure and moved by gain,
    /// retuning and shelf alike, is measured on the output; after a shelf, whose effect has no
    /// closed form, so are centroid and flatness. The delay and the all-pass change none of them noticeably.
    /// </summary>
    public static ClipDescriptors Describe(ClipDescriptors original, Drawn drawn, ReadOnlySpan<float> output,
        int sampleRate)
    {
        double rate = Math.Pow(2, drawn.Semitones / 12);
        float[] samples = output.ToArray();
        var result = original with
        {
            LoudnessLufs = Math.Max(-120, Loudness.IntegratedLufs(samples, sampleRate)),
            SpectralCentroidHz = original.SpectralCentroidHz * rate,
            AttackSeconds = original.AttackSeconds / rate,
            DecaySeconds = original.DecaySeconds / rate,
            F0Hz = original.F0Hz * rate,
        };
        if (drawn.ShelfDb == 0) return result;
        var (centroid, flatness) = Descriptors.Spectral(samples, sampleRate);
        return result with { SpectralCentroidHz = centroid, SpectralFlatness = flatness };
    }

    /// <summary>A high shelf of gainDb at cornerHz, then the clip's peak restored: a brighter or darker drum at the
    /// same peak.</summary>
    public static void Shelve(Span<float> x, int sampleRate, double cornerHz, double gainDb)
    {
        var samples = new double[x.Length];
        float peakBefore = 0;
        for (int t = 0; t < x.Length; t++) { samples[t] = x[t]; peakBefore = Math.Max(peakBefore, Math.Abs(x[t])); }
        var (b, a) = Biquad.HighShelfCoefficients(sampleRate, cornerHz, gainDb);
        Biquad.Apply(samples, b, a);
        double peakAfter = samples.Max(Math.Abs);
        double restore = peakAfter > 0 ? peakBefore / peakAfter : 1;
        for (int t = 0; t < x.Length; t++) x[t] = (float)(samples[t] * restore);
    }

    /// <summary>H(z) = (r² − 2r cosθ z⁻¹ + z⁻²) / (1 − 2r cosθ z⁻¹ + r² z⁻²), in place.</summary>
    public static void Allpass(Span<float> x, double radius, double theta)
    {
        double a1 = -2 * radius * Math.Cos(theta), a2 = radius * radius;
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (int t = 0; t < x.Length; t++)
        {
            double input = x[t];
            double y = a2 * input + a1 * x1 + x2 - a1 * y1 - a2 * y2;
            x2 = x1; x1 = input; y2 = y1; y1 = y;
            x[t] = (float)y;
        }
    }
}
