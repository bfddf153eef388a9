using Oneshot.Audio;
using Oneshot.Model;
using Oneshot.Statistics;

namespace Oneshot.Training;

/// <summary>How a fitted control's direction is chosen.</summary>
public enum ControlDirections
{
    /// <summary>The direction that best predicts the descriptor (its ridge-regression weights).</summary>
    Regression,
    /// <summary>
    /// The shortest direction that moves the descriptor's prediction and holds every other
    /// descriptor's prediction still: the dual basis Wᵀ(WWᵀ)⁻¹ of the regression weights W.
    /// Descriptors that go together in the data (a brighter drum is usually noisier) then get
    /// controls that move one without the other, as far as the latent can.
    /// </summary>
    Held,
}

/// <summary>
/// Finds, for each descriptor a musician names, a latent direction that follows it over the
/// training clips (ridge regression on the encoder's latents), with how well it predicts held-out
/// clips. Works for any model, trained with attribute losses or not.
/// </summary>
public static class NamedControls
{
    /// <summary>Fewest training clips a direction is fitted on; fewer and the control is left out.</summary>
    public const int MinimumClips = 8;
    /// <summary>A held direction keeps still only the descriptors the latent predicts at least this well (R² on the
    /// training clips).</summary>
    public const double MinimumHeldRSquared = 0.1;

    /// <summary>Every control the data allows, in the order of <see cref="NamedDescriptor.All"/>.</summary>
    /// <param name="trainLatents">The training clips' latents (the encoder's means).</param>
    /// <param name="centre">Where the sliders' zero lies: the training latents' mean, as latent.json stores it.</param>
    /// <param name="trainedAttributes">train.attributes: the descriptor named k was trained into dimension k, which
    /// becomes its control.</param>
    public static NamedControl[] Fit(IReadOnlyList<double[]> trainLatents,
        IReadOnlyList<ClipDescriptors> trainDescriptors,
                                     IReadOnlyList<double[]> validLatents,
                                         IReadOnlyList<ClipDescriptors> validDescriptors, double[] centre,
                                     IReadOnlyList<string>? trainedAttributes = null, ControlDirections directions =
                                         ControlDirections.Regression)
    {
        // Every descriptor's prediction from the whole latent: what a held direction must keep still.
        // One the latent hardly predicts is left free: holding a fit to noise would only bend the others.
        var wholeLatentWeights = new List<double[]>();
        if (directions == ControlDirections.Held)
            foreach (var spec in NamedDescriptor.All)
            {
                var (x, y) = Select(spec, trainLatents, trainDescriptors, z => z);
                if (x.Count < MinimumClips) continue;
                var fit = RidgeRegression.Fit(x, y);
                if (fit.RSquared(x, y) >= MinimumHeldRSquared) wholeLatentWeights.Add(fit.Weights);
            }

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
                : directions == ControlDirections.Held ? Holding(fit.Weights, wholeLatentWeights)
                : [.. fit.Weights.Select(w => w / norm)];
            // The slider's unit is the training latents' spread along the direction; the fit's change per unit step
            // along it sets what it spans.
            double along = dimension >= 0 ? Math.Abs(fit.Weights[0]) : Dot(fit.Weights, direction);
            double std = StandardDeviation(x.Select(z => dimension >= 0 ? z[0] : Dot(direction, z)).ToList());
            if (!(std > 1e-12)) continue;
            double slope = along * std;
            double middle = fit.Predict(Input(centre));
            var (vx, vy) = Select(spec, validLatents, validDescriptors, Input);
            // A line fitted to a weak predictor runs past anything a clip has (a 38 kHz centroid at 22.05 kHz): say
            // what the clips span at most.
            double lowest = y.Min(), highest = y.Max();
            controls.Add(new NamedControl(spec.Name, spec.Descriptor, spec.Scale, spec.Unit,
                dimension >= 0 ? "trained" : "fitted", direction, std, slope,
                spec.ToUnit(Math.Clamp(middle - 2 * slope, lowest, highest)),
                    spec.ToUnit(Math.Clamp(middle + 2 * slope, lowest, highest)),
                fit.RSquared(x, y), vx.Count >= 3 ? fit.RSquared(vx, vy) : null, x.Count));
        }
        return [.. controls];
    }

    /// <summary>
    /// The unit direction d along which the prediction <paramref name="own"/>·z rises and every
    /// other row of <paramref name="all"/> stays: d ∝ Wᵀ(WWᵀ)⁻¹ e with W = [own; others], the
    /// shortest such move. A whisper of ridge keeps nearly parallel rows solvable.
    /// </summary>
    static double[] Holding(double[] own, List<double[]> all)
    {
        var rows = new List<double[]> { own };
        rows.AddRange(all.Where(w => !w.SequenceEqual(own)));
        int k = rows.Count;
        var gram = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) gram[i, j] = Dot(rows[i], rows[j]);
        double ridge = 1e-9 * Enumerable.Range(0, k).Average(i => gram[i, i]);
        for (int i = 0; i < k; i++) gram[i, i] += ridge;
        var target = new double[k];
        target[0] = 1;
        var a = RidgeRegression.SolveCholesky(gram, target);   // the Gram matrix is symmetric positive definite
        var d = new double[own.Length];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < d.Length; j++) d[j] += a[i] * rows[i][j];
        double length = Math.Sqrt(Dot(d, d));
        return [.. d.Select(v => v / length)];
    }

    static (List<double[]> X, List<double> Y) Select(NamedDescriptor spec, IReadOnlyList<double[]> latents,
        IReadOnlyList<ClipDescriptors> descriptors,
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
