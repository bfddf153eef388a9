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
    /// <summary>Fewest training clips a direction is fitted on; fewer and the control is left out.</summary>
    public const int MinimumClips = 8;

    /// <summary>Every control the data allows, in the order of <see cref="NamedDescriptor.All"/>.</summary>
    /// <param name="trainLatents">The training clips' latents (the encoder's means).</param>
    /// <param name="centre">Where the sliders' zero lies: the training latents' mean, as latent.json stores it.</param>
    /// <param name="trainedAttributes">train.attributes: the descriptor named k was trained into dimension k, which becomes its control.</param>
    public static NamedControl[] Fit(IReadOnlyList<double[]> trainLatents, IReadOnlyList<ClipDescriptors> trainDescriptors,
                                     IReadOnlyList<double[]> validLatents, IReadOnlyList<ClipDescriptors> validDescriptors, double[] centre,
                                     IReadOnlyList<string>? trainedAttributes = null)
    {
        var controls = new List<NamedControl>();
        foreach (var spec in NamedDescriptor.All)
        {
            int dimension = trainedAttributes?.ToList().IndexOf(spec.Name) ?? -1;
            // A trained dimension is fitted alone, so its control is that dimension and nothing else.
            double[] Input(double[] z) => dimension >= 0 ? [z[dimension]] : z;
            var (x, y) = Select(spec, trainLatents, trainDescriptors, Input);
            if (x.Count < MinimumClips) continue;
            var fit = RidgeRegression.Fit(x, y);
            double norm = Math.Sqrt(fit.Weights.Sum(w => w * w));
            if (!(norm > 1e-12)) continue;
            double[] direction = dimension >= 0
                ? [.. Enumerable.Range(0, centre.Length).Select(d => d == dimension ? Math.Sign(fit.Weights[0]) : 0.0)]
                : [.. fit.Weights.Select(w => w / norm)];
            double std = StandardDeviation(x.Select(z => Dot(fit.Weights, z) / norm).ToList());
            if (!(std > 1e-12)) continue;
            double slope = norm * std;
            double middle = fit.Predict(Input(centre));
            var (vx, vy) = Select(spec, validLatents, validDescriptors, Input);
            controls.Add(new NamedControl(spec.Name, spec.Descriptor, spec.Scale, spec.Unit, dimension >= 0 ? "trained" : "fitted", direction, std, slope,
                spec.ToUnit(middle - 2 * slope), spec.ToUnit(middle + 2 * slope),
                fit.RSquared(x, y), vx.Count >= 3 ? fit.RSquared(vx, vy) : null, x.Count));
        }
        return [.. controls];
    }

    static (List<double[]> X, List<double> Y) Select(NamedDescriptor spec, IReadOnlyList<double[]> latents, IReadOnlyList<ClipDescriptors> descriptors,
                                                     Func<double[], double[]> input)
    {
        var x = new List<double[]>();
        var y = new List<double>();
        for (int i = 0; i < latents.Count; i++)
        {
            if (spec.Scaled(descriptors[i]) is not double value) continue;
            x.Add(input(latents[i]));
            y.Add(value);
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
