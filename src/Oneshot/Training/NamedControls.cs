using Oneshot.Audio;
using Oneshot.Model;
using Oneshot.Statistics;

namespace Oneshot.Training;

/// <summary>
/// Finds, for each descriptor a musician names, the latent direction that best predicts it over the
/// training clips (ridge regression on the encoder's latents), with how well it predicts held-out
/// clips. Works for any model, trained with attribute losses or not.
/// </summary>
public static class NamedControls
{
    /// <summary>How a descriptor is named, read from a clip, put on a scale where a straight line fits, and shown.</summary>
    sealed record Spec(string Name, string Descriptor, string Scale, string Unit, Func<ClipDescriptors, double?> Read,
                       Func<double, double> Forward, Func<double, double> Inverse);

    static readonly Spec[] Specs =
    [
        new("brightness", "spectral_centroid_hz", "log2", "Hz", d => d.SpectralCentroidHz, v => Math.Log2(Math.Max(v, 1)), v => Math.Pow(2, v)),
        new("noisiness", "spectral_flatness", "log10", "flatness", d => d.SpectralFlatness, v => Math.Log10(Math.Max(v, 1e-6)), v => Math.Min(1, Math.Pow(10, v))),
        new("attack", "attack_seconds", "log10", "ms", d => d.AttackSeconds, v => Math.Log10(Math.Max(v, 1e-4)), v => 1000 * Math.Pow(10, v)),
        new("decay", "decay_seconds", "log10", "ms", d => d.DecaySeconds, v => Math.Log10(Math.Max(v, 1e-3)), v => 1000 * Math.Pow(10, v)),
        new("pitch", "f0_hz", "midi", "Hz", d => d.F0Confidence >= Descriptors.PitchedConfidence && d.F0Hz > 0 ? d.F0Hz : null,
            v => 12 * Math.Log2(v / 440) + 69, v => 440 * Math.Pow(2, (v - 69) / 12)),
        new("level", "loudness_lufs", "linear", "LUFS", d => d.LoudnessLufs > -120 ? d.LoudnessLufs : null, v => v, v => v),
    ];

    /// <summary>Fewest training clips a direction is fitted on; fewer and the control is left out.</summary>
    public const int MinimumClips = 8;

    /// <summary>Every control the data allows, in the order of <see cref="Specs"/>.</summary>
    /// <param name="trainLatents">The training clips' latents (the encoder's means).</param>
    /// <param name="centre">Where the sliders' zero lies: the training latents' mean, as latent.json stores it.</param>
    public static NamedControl[] Fit(IReadOnlyList<double[]> trainLatents, IReadOnlyList<ClipDescriptors> trainDescriptors,
                                     IReadOnlyList<double[]> validLatents, IReadOnlyList<ClipDescriptors> validDescriptors, double[] centre)
    {
        var controls = new List<NamedControl>();
        foreach (var spec in Specs)
        {
            var (x, y) = Select(spec, trainLatents, trainDescriptors);
            if (x.Count < MinimumClips) continue;
            var fit = RidgeRegression.Fit(x, y);
            double norm = Math.Sqrt(fit.Weights.Sum(w => w * w));
            if (!(norm > 1e-12)) continue;
            double[] direction = fit.Weights.Select(w => w / norm).ToArray();
            double std = StandardDeviation(x.Select(z => Dot(direction, z)).ToList());
            if (!(std > 1e-12)) continue;
            double slope = norm * std;
            double middle = fit.Predict(centre);
            var (vx, vy) = Select(spec, validLatents, validDescriptors);
            controls.Add(new NamedControl(spec.Name, spec.Descriptor, spec.Scale, spec.Unit, "fitted", direction, std, slope,
                spec.Inverse(middle - 2 * slope), spec.Inverse(middle + 2 * slope),
                fit.RSquared(x, y), vx.Count >= 3 ? fit.RSquared(vx, vy) : null, x.Count));
        }
        return [.. controls];
    }

    static (List<double[]> X, List<double> Y) Select(Spec spec, IReadOnlyList<double[]> latents, IReadOnlyList<ClipDescriptors> descriptors)
    {
        var x = new List<double[]>();
        var y = new List<double>();
        for (int i = 0; i < latents.Count; i++)
        {
            if (spec.Read(descriptors[i]) is not double value || !double.IsFinite(value)) continue;
            x.Add(latents[i]);
            y.Add(spec.Forward(value));
        }
        return (x, y);
    }

    static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    static double StandardDeviation(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Count - 1));
    }
}
