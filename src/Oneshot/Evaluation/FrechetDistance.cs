using Oneshot.TorchInterop;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Evaluation;

/// <summary>FAD∞: the intercept b of FAD(n) = a/n + b fitted over subset sizes n, i.e. the FAD of infinitely many
/// samples.</summary>
public sealed record FrechetExtrapolation(double Value, double Slope, int[] Sizes, double[] Distances);

/// <summary>
/// Fréchet distance between Gaussians fitted to two sets of embeddings (FAD when the embeddings are
/// audio embeddings): ‖μ₁−μ₂‖² + Tr Σ₁ + Tr Σ₂ − 2 Tr (Σ₁Σ₂)^½, covariances with n − 1.
/// Tr (Σ₁Σ₂)^½ is Σ √λᵢ of the symmetric Σ₁^½ Σ₂ Σ₁^½, so two symmetric eigendecompositions in
/// float64 suffice: no complex matrix square root, no imaginary residue to discard.
/// </summary>
public static class FrechetDistance
{
    public static double Between(EmbeddingMatrix a, EmbeddingMatrix b)
    {
        CheckShapes(a, b);
        using var scope = NewDisposeScope();
        var (meanA, covA) = Moments(a.ToTensor());
        var (meanB, covB) = Moments(b.ToTensor());
        return Between(meanA, covA, meanB, covB);
    }

    /// <summary>The distance between N(meanA, covA) and N(meanB, covB); float64 tensors [d] and [d, d].</summary>
    public static double Between(Tensor meanA, Tensor covA, Tensor meanB, Tensor covB)
    {
        using var scope = NewDisposeScope();
        var rootA = SymmetricSquareRoot(covA);
        var product = rootA.matmul(covB).matmul(rootA);
        var eigenvalues = linalg.eigvalsh(product.Plus(product.t()).Times(0.5));
        double traceRoot = eigenvalues.ClampMin(0).sqrt().sum().item<double>();
        double meanTerm = (meanA - meanB).Squared().sum().item<double>();
        return meanTerm + covA.trace().item<double>() + covB.trace().item<double>() - 2 * traceRoot;
    }

    /// <summary>
    /// FAD∞ as fadtk defines it: the FAD between the whole reference and `steps` subsets of the
    /// candidates (drawn with replacement) of sizes evenly spaced from min(minimumSize, n) to n,
    /// then a least-squares line through (1/size, FAD) whose intercept is the estimate.
    /// </summary>
    public static FrechetExtrapolation Extrapolate(EmbeddingMatrix reference, EmbeddingMatrix candidates, int seed,
        int steps = 25, int minimumSize = 500)
    {
        CheckShapes(reference, candidates);
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), "FAD∞ needs at least two subset sizes.");
        int n = candidates.Count;
        int smallest = Math.Max(2, Math.Min(minimumSize, n / 2));
        var sizes = Enumerable.Range(0, steps).Select(i =>
            smallest + (int)Math.Round((double)(n - smallest) * i / (steps - 1))).ToArray();
        using var scope = NewDisposeScope();
        var (meanR, covR) = Moments(reference.ToTensor());
        var all = candidates.ToTensor();
        using var generator = new Generator((ulong)Seeds.Mix(seed, 0xFAD));
        var distances = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            using var inner = NewDisposeScope();
            var pick = randint(0, n, [sizes[i]], generator: generator);
            var (mean, cov) = Moments(all.index_select(0, pick));
            distances[i] = Between(meanR, covR, mean, cov);
        }
        var inverse = sizes.Select(s => 1.0 / s).ToArray();
        var (slope, intercept) = LeastSquaresLine(inverse, distances);
        return new FrechetExtrapolation(intercept, slope, sizes, distances);
    }

    /// <summary>Mean [d] and unbiased covariance [d, d] of the rows of x.</summary>
    public static (Tensor Mean, Tensor Covariance) Moments(Tensor x)
    {
        var mean = x.mean([0L]);
        var centred = x - mean;
        using Scalar degrees = (double)(x.shape[0] - 1);
        return (mean, centred.t().matmul(centred).div(degrees));
    }

    static Tensor SymmetricSquareRoot(Tensor matrix)
    {
        var (values, vectors) = linalg.eigh(matrix.Plus(matrix.t()).Times(0.5));
        return (vectors * values.ClampMin(0).sqrt().unsqueeze(0)).matmul(vectors.t());
    }

    internal static (double Slope, double Intercept) LeastSquaresLine(double[] x, double[] y)
    {
        double meanX = x.Average(), meanY = y.Average();
        double sxy = 0, sxx = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - meanX) * (y[i] - meanY);
            sxx += (x[i] - meanX) * (x[i] - meanX);
        }
        double slope = sxx == 0 ? 0 : sxy / sxx;
        return (slope, meanY - slope * meanX);
    }

    internal static void CheckShapes(EmbeddingMatrix a, EmbeddingMatrix b)
    {
        if (a.Dimensions != b.Dimensions)
            throw new OneshotException($"The embeddings differ in length ({a.Dimensions} and {b.Dimensions}): they " +
                $"come from different embedders.");
        if (a.Count < 2 || b.Count < 2)
            throw new OneshotException($"Each set needs at least 2 embeddings (got {a.Count} and {b.Count}).");
    }
}
