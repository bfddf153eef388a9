using Oneshot.Statistics;

namespace Oneshot.Evaluation;

/// <summary>A quality each clip has (a descriptor, or a known generating factor); null where a clip has none.</summary>
/// <param name="Categorical">Values are categories (e.g. a class index), not a scale: scored by mutual information
/// only.</param>
public sealed record Factor(string Name, IReadOnlyList<double?> Values, bool Categorical = false);

/// <summary>How one factor sits in the latent space.</summary>
/// <param name="BestDimension">The dimension sharing the most information with it.</param>
/// <param name="MutualInformationGap">(I₁ − I₂) / H: the lead of the best dimension over the next, as a share of the
/// factor's entropy.</param>
/// <param name="RSquared">Of a straight line from the best dimension to the factor (null for categories).</param>
/// <param name="Spearman">The largest |ρ| between the factor and any one dimension (null for categories).</param>
public sealed record FactorScore(string Name, int Clips, int BestDimension, double MutualInformationGap,
    double? RSquared, double? Spearman);

/// <summary>
/// Disentanglement scores of latents against factors: MIG (Chen et al. 2018), SAP (Kumar et al.
/// 2018), modularity (Ridgeway &amp; Zemel 2018), and AR-VAE's interpretability and correlation
/// (Pati &amp; Lerch 2020). All in [0, 1], higher is more disentangled. SAP, interpretability and
/// correlation are over the non-categorical factors.
/// </summary>
public sealed record DisentanglementScores(int Clips, double Mig, double? Sap, double Modularity,
    double? Interpretability, double? Correlation,
                                           IReadOnlyList<FactorScore> Factors);

public static class Disentanglement
{
    /// <summary>
    /// Equal-count bins for latents and continuous factors: disentanglement_lib's 20 when there are
    /// clips enough, fewer for a small test split, about √(n/5) — with 20 × 20 cells and a few hundred
    /// clips, the histogram's upward bias in mutual information (about (cells − 1)/2n nats) swamps
    /// what a dimension really shares with a quality.
    /// </summary>
    public static int Bins(int clips) => Math.Clamp((int)Math.Round(Math.Sqrt(clips / 5.0)), 2, 20);

    /// <returns>Null when no factor has at least <paramref name="minimumClips"/> clips with a value (a score on so few
    /// is rough: the report gives the count).</returns>
    public static DisentanglementScores? Score(IReadOnlyList<float[]> latents, IReadOnlyList<Factor> factors,
        int minimumClips = 5)
    {
        if (latents.Count == 0) return null;
        int dimensions = latents[0].Length;
        var scored = new List<FactorScore>();
        var information = new List<double[]>();   // per factor: MI with each dimension
        var entropies = new List<double>();
        var sapGaps = new List<double>();
        foreach (var factor in factors)
        {
            var at = Enumerable.Range(0, latents.Count).Where(i => factor.Values[i] is double v && double.IsFinite(v))
                .ToArray();
            if (at.Length < minimumClips) continue;
            double[] values = [.. at.Select(i => factor.Values[i]!.Value)];
            int bins = Bins(at.Length);
            int[] factorCodes = factor.Categorical ? Categories(values) : QuantileCodes(values, bins);
            double entropy = Entropy(factorCodes);
            if (entropy <= 0) continue;
            var mi = new double[dimensions];
            var r2 = new double[dimensions];
            double bestSpearman = 0;
            for (int d = 0; d < dimensions; d++)
            {
                double[] z = [.. at.Select(i => (double)latents[i][d])];
                mi[d] = MutualInformation(QuantileCodes(z, bins), factorCodes);
                if (factor.Categorical) continue;
                double pearson = Correlation.Pearson(z, values);
                r2[d] = pearson * pearson;
                bestSpearman = Math.Max(bestSpearman, Math.Abs(Correlation.Spearman(z, values)));
            }
            var byInformation = Enumerable.Range(0, dimensions).OrderByDescending(d => mi[d]).ToArray();
            double gap = (mi[byInformation[0]] - (dimensions > 1 ? mi[byInformation[1]] : 0)) / entropy;
            information.Add(mi);
            entropies.Add(entropy);
            if (!factor.Categorical)
            {
                var byR2 = r2.OrderByDescending(v => v).ToArray();
                sapGaps.Add(byR2[0] - (dimensions > 1 ? byR2[1] : 0));
            }
            scored.Add(new FactorScore(factor.Name, at.Length, byInformation[0], gap,
                factor.Categorical ? null : r2[byInformation[0]], factor.Categorical ? null : bestSpearman));
        }
        if (scored.Count == 0) return null;
        var continuous = scored.Where(f => f.RSquared is not null).ToList();
        return new DisentanglementScores(latents.Count, scored.Average(f => f.MutualInformationGap),
            sapGaps.Count > 0 ? sapGaps.Average() : null,
            Modularity(information, dimensions), continuous.Count > 0 ? continuous.Average(f => f.RSquared!.Value)
                : null,
            continuous.Count > 0 ? continuous.Average(f => f.Spearman!.Value) : null, scored);
    }

    /// <summary>
    /// Ridgeway &amp; Zemel's modularity: a dimension is modular when it shares information with one
    /// factor only; 1 − the mean over dimensions of Σ_k (m_k − t_k)² / (θ²·(K − 1)), t the ideal
    /// template keeping only the largest m (θ). Dimensions that share nothing with any factor are left out.
    /// </summary>
    static double Modularity(IReadOnlyList<double[]> information, int dimensions)
    {
        int factors = information.Count;
        if (factors < 2) return 1;
        var deviations = new List<double>();
        for (int d = 0; d < dimensions; d++)
        {
            double[] m = [.. information.Select(row => row[d])];
            double theta = m.Max();
            if (theta <= 1e-12) continue;
            int best = Array.IndexOf(m, theta);
            double sum = 0;
            for (int k = 0; k < factors; k++) sum += k == best ? 0 : m[k] * m[k];
            deviations.Add(sum / (theta * theta * (factors - 1)));
        }
        return deviations.Count > 0 ? 1 - deviations.Average() : 1;
    }

    /// <summary>Equal-count bins: each value's bin among <paramref name="bins"/> by its rank (ties share a
    /// bin).</summary>
    public static int[] QuantileCodes(IReadOnlyList<double> values, int bins)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var codes = new int[values.Count];
        for (int r = 0; r < order.Length; r++)
        {
            // Ties take the bin of their first rank, so equal values never split.
            int first = r;
            while (first > 0 && values[order[first - 1]] == values[order[r]]) first--;
            codes[order[r]] = (int)((long)first * bins / values.Count);
        }
        return codes;
    }

    static int[] Categories(IReadOnlyList<double> values)
    {
        var index = values.Distinct().Order().Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i);
        return [.. values.Select(v => index[v])];
    }

    public static double Entropy(IReadOnlyList<int> codes) =>
        -codes.GroupBy(c => c).Sum(g => { double p = (double)g.Count() / codes.Count; return p * Math.Log(p); });

    /// <summary>I(a; b) in nats from the joint histogram of two code sequences.</summary>
    /// <param name="corrected">
    /// With the Miller–Madow correction of each entropy ((occupied cells − 1)/2n), which takes out
    /// most of the histogram's upward bias: two independent sequences then share about nothing,
    /// instead of (bins − 1)²/2n nats.
    /// </param>
    public static double MutualInformation(IReadOnlyList<int> a, IReadOnlyList<int> b, bool corrected = true)
    {
        int n = a.Count;
        var joint = new Dictionary<(int, int), int>();
        var left = new Dictionary<int, int>();
        var right = new Dictionary<int, int>();
        for (int i = 0; i < n; i++)
        {
            joint[(a[i], b[i])] = joint.GetValueOrDefault((a[i], b[i])) + 1;
            left[a[i]] = left.GetValueOrDefault(a[i]) + 1;
            right[b[i]] = right.GetValueOrDefault(b[i]) + 1;
        }
        double mi = 0;
        foreach (var ((x, y), count) in joint)
            mi += (double)count / n * Math.Log((double)count * n / ((double)left[x] * right[y]));
        if (corrected) mi += (left.Count + right.Count - joint.Count - 1) / (2.0 * n);
        return Math.Max(0, mi);
    }
}
