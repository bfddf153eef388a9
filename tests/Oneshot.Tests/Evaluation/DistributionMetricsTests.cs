using Oneshot.Evaluation;
using static TorchSharp.torch;

namespace Oneshot.Tests.Evaluation;

public class DistributionMetricsTests
{
    /// <summary>n rows of N(mean, diag(std²)) in d dimensions.</summary>
    static EmbeddingMatrix Gaussian(int n, int d, int seed, double mean = 0, double std = 1)
    {
        var random = new Random(seed);
        var values = new double[n * d];
        for (int i = 0; i < values.Length; i++)
        {
            double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
            values[i] = mean + std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        return new EmbeddingMatrix(values, n, d);
    }

    static EmbeddingMatrix Shifted(EmbeddingMatrix x, double by) =>
        new(x.Values.Select(v => v + by).ToArray(), x.Count, x.Dimensions);

    [Fact]
    public void Frechet_distance_of_diagonal_gaussians_has_the_closed_form()
    {
        // Commuting covariances: ‖Δμ‖² + Σ (√a − √b)².
        double[] a = [1, 4, 9], b = [4, 1, 1];
        using var meanA = tensor(new double[] { 0, 1, 2 });
        using var meanB = tensor(new double[] { 1, 1, 0 });
        using var covA = diag(tensor(a));
        using var covB = diag(tensor(b));
        double expected = 1 + 0 + 4 + a.Zip(b, (x, y) => Math.Pow(Math.Sqrt(x) - Math.Sqrt(y), 2)).Sum();
        Assert.Equal(expected, FrechetDistance.Between(meanA, covA, meanB, covB), 10);
    }

    [Fact]
    public void Frechet_distance_of_non_commuting_covariances_matches_the_eigenvalues_of_the_product()
    {
        // Tr (Σ₁Σ₂)^½ = Σ √λ(Σ₁Σ₂); for 2 × 2 the eigenvalues follow from the trace and determinant.
        double[,] s1 = { { 2, 0.8 }, { 0.8, 1 } }, s2 = { { 1, -0.3 }, { -0.3, 0.5 } };
        double p00 = s1[0, 0] * s2[0, 0] + s1[0, 1] * s2[1, 0], p11 = s1[1, 0] * s2[0, 1] + s1[1, 1] * s2[1, 1];
        double p01 = s1[0, 0] * s2[0, 1] + s1[0, 1] * s2[1, 1], p10 = s1[1, 0] * s2[0, 0] + s1[1, 1] * s2[1, 0];
        double trace = p00 + p11, det = p00 * p11 - p01 * p10;
        double root = Math.Sqrt(trace * trace - 4 * det);
        double traceRoot = Math.Sqrt((trace + root) / 2) + Math.Sqrt((trace - root) / 2);
        double expected = 3 + 1.5 - 2 * traceRoot;   // equal means
        using var mean = zeros(2, dtype: ScalarType.Float64);
        using var c1 = tensor(new double[] { 2, 0.8, 0.8, 1 }, [2, 2]);
        using var c2 = tensor(new double[] { 1, -0.3, -0.3, 0.5 }, [2, 2]);
        Assert.Equal(expected, FrechetDistance.Between(mean, c1, mean, c2), 10);
        Assert.Equal(expected, FrechetDistance.Between(mean, c2, mean, c1), 10);
    }

    [Fact]
    public void Frechet_distance_from_samples_approaches_the_population_value_and_is_zero_for_one_set()
    {
        var a = Gaussian(4000, 4, seed: 1);
        var b = Gaussian(4000, 4, seed: 2, mean: 0.5, std: 2);
        // Population: 4·0.5² + 4·(1 − 2)² = 5.
        Assert.InRange(FrechetDistance.Between(a, b), 4.7, 5.3);
        Assert.Equal(0, FrechetDistance.Between(a, a), 8);
    }

    [Fact]
    public void Frechet_extrapolation_removes_the_small_sample_bias()
    {
        var reference = Gaussian(3000, 8, seed: 3);
        var candidates = Gaussian(2000, 8, seed: 4);
        var result = FrechetDistance.Extrapolate(reference, candidates, seed: 1, minimumSize: 200);
        Assert.Equal(25, result.Sizes.Length);
        Assert.Equal(200, result.Sizes[0]);
        Assert.Equal(2000, result.Sizes[^1]);
        // Same distribution: the bias falls as 1/n, so the slope is positive and the intercept near 0
        // (what is left is the reference's own finite-sample bias), below the FAD of all 2000.
        Assert.True(result.Slope > 0, $"slope {result.Slope}");
        Assert.InRange(result.Value, -0.05, 0.05);
        Assert.True(result.Value < result.Distances[^1], $"FAD∞ {result.Value}, FAD at 2000 {result.Distances[^1]}");
        Assert.True(result.Distances[0] > 0.1, $"FAD at 200: {result.Distances[0]}");
    }

    [Fact]
    public void Unbiased_mmd_matches_a_hand_computed_example()
    {
        // d = 1, k(a, b) = (ab + 1)³: within x k(1,2) = 27, within y k(0,3) = 1,
        // across 1 + 64 + 1 + 343 = 409 → 27 + 1 − 2·409/4 = −176.5.
        using var x = tensor(new double[] { 1, 2 }, [2, 1]);
        using var y = tensor(new double[] { 0, 3 }, [2, 1]);
        Assert.Equal(-176.5, KernelDistance.UnbiasedMmd2(x, y), 9);
    }

    [Fact]
    public void Kernel_distance_is_near_zero_for_one_distribution_and_grows_with_a_shift()
    {
        var a = Gaussian(1000, 8, seed: 5);
        var b = Gaussian(1000, 8, seed: 6);
        var same = KernelDistance.Between(a, b, seed: 1);
        var far = KernelDistance.Between(a, Shifted(b, 1), seed: 1);
        Assert.Equal(500, same.SubsetSize);
        Assert.InRange(same.Mean, -3 * same.Std - 1e-3, 3 * same.Std + 1e-3);
        Assert.True(far.Mean > 10 * Math.Max(same.Std, 1e-3), $"shifted KID {far.Mean}, same {same.Mean} ± {same.Std}");
    }

    [Fact]
    public void Precision_recall_density_and_coverage_separate_fidelity_from_diversity()
    {
        var real = Gaussian(400, 4, seed: 7);
        var copy = ManifoldMetrics.Compare(real, real);
        Assert.Equal(1, copy.Precision);
        Assert.Equal(1, copy.Recall);
        Assert.Equal(1, copy.Coverage);
        // each point lies in its own ball and its neighbours'
        Assert.True(copy.Density >= 1, $"density {copy.Density}");

        var far = ManifoldMetrics.Compare(real, Shifted(Gaussian(400, 4, seed: 8), 100));
        Assert.Equal(0, far.Precision);
        Assert.Equal(0, far.Recall);
        Assert.Equal(0, far.Density);
        Assert.Equal(0, far.Coverage);

        // Mode collapse: every generated point is one real point. Faithful (precision 1), not diverse.
        var collapsed = real.Rows(Enumerable.Repeat(0, 400).ToArray());
        var mode = ManifoldMetrics.Compare(real, collapsed);
        Assert.Equal(1, mode.Precision);
        Assert.True(mode.Recall < 0.1, $"recall {mode.Recall}");
        Assert.True(mode.Coverage < 0.1, $"coverage {mode.Coverage}");
    }

    [Fact]
    public void Vendi_score_counts_distinct_directions()
    {
        var identical =
            new EmbeddingMatrix(Enumerable.Repeat(new double[] { 1, 2, 3 }, 10).SelectMany(r => r).ToArray(), 10, 3);
        Assert.Equal(1, VendiScore.Of(identical), 9);
        var orthogonal = new EmbeddingMatrix(Enumerable.Range(0, 5)
            .SelectMany(i => Enumerable.Range(0, 5).Select(j => i == j ? 2.0 : 0.0)).ToArray(), 5, 5);
        Assert.Equal(5, VendiScore.Of(orthogonal), 9);
        // Two equal groups of orthogonal directions, more items than dimensions: 2.
        var groups = new EmbeddingMatrix(Enumerable.Range(0, 20)
            .SelectMany(i => i % 2 == 0 ? new double[] { 1, 0, 0 } : [0, 3, 0]).ToArray(), 20, 3);
        Assert.Equal(2, VendiScore.Of(groups), 9);
    }

    [Fact]
    public void Different_bins_find_a_missing_mode()
    {
        // Real: two clusters. Generated from both → no bin differs; from one → the bins of the other differ.
        var left = Shifted(Gaussian(300, 2, seed: 9, std: 0.1), -5);
        var right = Shifted(Gaussian(300, 2, seed: 10, std: 0.1), 5);
        var real = EmbeddingMatrix.FromRows([.. Rows(left), .. Rows(right)]);
        var both =
            EmbeddingMatrix.FromRows([.. Rows(Shifted(Gaussian(300, 2, seed: 11, std: 0.1), -5)),
            .. Rows(Shifted(Gaussian(300, 2, seed: 12, std: 0.1), 5))]);
        var oneSided = Shifted(Gaussian(600, 2, seed: 13, std: 0.1), -5);

        var good = DifferentBins.Compare(real, both, seed: 1, bins: 2);
        Assert.Equal(0, good.Different);
        Assert.Equal(0.5, good.RealShares[0], 9);
        var collapsed = DifferentBins.Compare(real, oneSided, seed: 1, bins: 2);
        Assert.Equal(2, collapsed.Different);
        Assert.Equal(1, collapsed.Fraction);
    }

    static IEnumerable<double[]> Rows(EmbeddingMatrix m) =>
        Enumerable.Range(0, m.Count).Select(i => m.Row(i).ToArray());
}
