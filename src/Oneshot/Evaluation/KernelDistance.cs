using Oneshot.TorchInterop;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Evaluation;

/// <summary>KID: the mean and standard deviation of the unbiased MMD² over random subsets.</summary>
public sealed record KernelDistanceResult(double Mean, double Std, int Subsets, int SubsetSize);

/// <summary>
/// Kernel inception distance (Bińkowski et al. 2018) with the cubic polynomial kernel
/// k(x, y) = (xᵀy/d + 1)³. Unlike FAD it is unbiased, so it can be compared across sample counts
/// (and may be slightly negative when the two sets come from one distribution).
/// </summary>
public static class KernelDistance
{
    /// <param name="subsetSize">Embeddings per subset; null: min(1000, n/2) with n the smaller set.</param>
    public static KernelDistanceResult Between(EmbeddingMatrix a, EmbeddingMatrix b, int seed, int subsets = 100,
        int? subsetSize = null)
    {
        FrechetDistance.CheckShapes(a, b);
        int smaller = Math.Min(a.Count, b.Count);
        int size = Math.Max(2, Math.Min(subsetSize ?? Math.Min(1000, smaller / 2), smaller));
        using var scope = NewDisposeScope();
        var x = a.ToTensor();
        var y = b.ToTensor();
        using var generator = new Generator((ulong)Seeds.Mix(seed, 0x1D));
        var values = new double[subsets];
        for (int i = 0; i < subsets; i++)
        {
            using var inner = NewDisposeScope();
            var pickX = randperm(a.Count, generator: generator).narrow(0, 0, size);
            var pickY = randperm(b.Count, generator: generator).narrow(0, 0, size);
            values[i] = UnbiasedMmd2(x.index_select(0, pickX), y.index_select(0, pickY));
        }
        double mean = values.Average();
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
        return new KernelDistanceResult(mean, std, subsets, size);
    }

    /// <summary>
    /// MMD²ᵤ = Σ_{i≠j} k(xᵢ,xⱼ)/(m(m−1)) + Σ_{i≠j} k(yᵢ,yⱼ)/(n(n−1)) − 2 Σ_{i,j} k(xᵢ,yⱼ)/(mn), float64 [m, d] and [n,
    /// d].
    /// </summary>
    public static double UnbiasedMmd2(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        long m = x.shape[0], n = y.shape[0], d = x.shape[1];
        Tensor Kernel(Tensor p, Tensor q)
        {
            using Scalar scale = 1.0 / d;
            var inner = p.matmul(q.t()).mul(scale).Plus(1);
            return inner * inner * inner;
        }
        var kxx = Kernel(x, x);
        var kyy = Kernel(y, y);
        double sumXX = kxx.sum().item<double>() - kxx.diagonal().sum().item<double>();
        double sumYY = kyy.sum().item<double>() - kyy.diagonal().sum().item<double>();
        double sumXY = Kernel(x, y).sum().item<double>();
        return sumXX / (m * (m - 1)) + sumYY / (n * (n - 1)) - 2 * sumXY / (m * n);
    }
}
