using static TorchSharp.torch;

namespace Oneshot.Evaluation;

/// <summary>Fidelity and diversity as separate numbers, from k-nearest-neighbour balls around the embeddings.</summary>
public sealed record ManifoldResult(double Precision, double Recall, double Density, double Coverage,
    int PrecisionRecallK, int DensityCoverageK);

/// <summary>
/// Precision and recall (Kynkäänniemi et al. 2019): each set's manifold is the union of balls around
/// its points reaching their k-th nearest neighbour; precision is the share of generated points inside
/// the real manifold, recall the share of real points inside the generated one. Density and coverage
/// (Naeem et al. 2020) use the real balls only: density counts how many real balls hold each generated
/// point (÷ k; about 1 when the sets match), coverage is the share of real balls holding any.
/// </summary>
public static class ManifoldMetrics
{
    public static ManifoldResult Compare(EmbeddingMatrix real, EmbeddingMatrix generated, int precisionRecallK = 3,
        int densityCoverageK = 5)
    {
        FrechetDistance.CheckShapes(real, generated);
        int largestK = Math.Max(precisionRecallK, densityCoverageK);
        if (real.Count <= largestK || generated.Count <= precisionRecallK)
            throw new OneshotException($"Precision, recall, density and coverage need more than {largestK} real and " +
                $"{precisionRecallK} generated embeddings (got {real.Count} and {generated.Count}).");
        using var scope = NewDisposeScope();
        var x = real.ToTensor();
        var y = generated.ToTensor();
        var realToReal = cdist(x, x);
        var fakeToFake = cdist(y, y);
        var fakeToReal = cdist(y, x);                                  // [generated, real]

        var realRadiusPr = NeighbourRadius(realToReal, precisionRecallK);
        var fakeRadiusPr = NeighbourRadius(fakeToFake, precisionRecallK);
        var realRadiusDc = NeighbourRadius(realToReal, densityCoverageK);

        var insideRealPr = fakeToReal.le(realRadiusPr.unsqueeze(0));     // generated j inside real ball i
        var insideFakePr = fakeToReal.le(fakeRadiusPr.unsqueeze(1));     // real i inside generated ball j
        var insideRealDc = fakeToReal.le(realRadiusDc.unsqueeze(0));

        double precision = insideRealPr.any(1).to_type(ScalarType.Float64).mean().item<double>();
        double recall = insideFakePr.any(0).to_type(ScalarType.Float64).mean().item<double>();
        double density = insideRealDc.to_type(ScalarType.Float64).sum()
            .item<double>() / ((double)densityCoverageK * generated.Count);
        double coverage = insideRealDc.any(0).to_type(ScalarType.Float64).mean().item<double>();
        return new ManifoldResult(precision, recall, density, coverage, precisionRecallK, densityCoverageK);
    }

    /// <summary>Distance from each point to its k-th nearest other point (column 0 of the sorted row is the point
    /// itself).</summary>
    static Tensor NeighbourRadius(Tensor distances, int k) => distances.sort(1).Values.select(1, k);
}
