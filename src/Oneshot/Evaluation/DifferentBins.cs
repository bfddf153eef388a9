using Oneshot.Statistics;
using static TorchSharp.torch;

namespace Oneshot.Evaluation;

/// <summary>NDB: how many of the k-means bins hold a significantly different share of generated than of real
/// embeddings.</summary>
public sealed record DifferentBinsResult(int Different, int Bins, double[] RealShares, double[] GeneratedShares)
{
    /// <summary>NDB/K: 0 when the bins agree, 1 when every bin differs.</summary>
    public double Fraction => (double)Different / Bins;
}

/// <summary>
/// Number of statistically different bins (Richardson &amp; Weiss 2018): k-means bins fitted on the
/// real embeddings, every embedding assigned to its nearest centre, and a two-proportion z-test per
/// bin at α = 0.05 (|z| > 1.96). Catches mode collapse and mode invention that a mean distance hides.
/// </summary>
public static class DifferentBins
{
    const double CriticalZ = 1.959964; // two-sided, α = 0.05

    /// <summary>Default bin count: about 10 real embeddings per bin, from 2 to 100 bins.</summary>
    public static int DefaultBins(int realCount) => Math.Clamp(realCount / 10, 2, 100);

    public static DifferentBinsResult Compare(EmbeddingMatrix real, EmbeddingMatrix generated, int seed,
        int? bins = null)
    {
        FrechetDistance.CheckShapes(real, generated);
        int k = bins ?? DefaultBins(real.Count);
        if (k < 2 || k > real.Count)
            throw new OneshotException($"NDB: {k} bins do not fit {real.Count} real embeddings (2 to {real.Count}).");
        using var scope = NewDisposeScope();
        var x = real.ToTensor();
        using var generator = new Generator((ulong)Seeds.Mix(seed, 0x4DB));
        var centres = KMeans.Fit(x, k, generator);
        var realCounts = Counts(KMeans.Assign(x, centres), k);
        var generatedCounts = Counts(KMeans.Assign(generated.ToTensor(), centres), k);
        double nReal = real.Count, nGenerated = generated.Count;
        int different = 0;
        var realShares = new double[k];
        var generatedShares = new double[k];
        for (int b = 0; b < k; b++)
        {
            double p1 = realCounts[b] / nReal, p2 = generatedCounts[b] / nGenerated;
            double pooled = (realCounts[b] + generatedCounts[b]) / (nReal + nGenerated);
            double standardError = Math.Sqrt(pooled * (1 - pooled) * (1 / nReal + 1 / nGenerated));
            realShares[b] = p1;
            generatedShares[b] = p2;
            if (standardError > 0 && Math.Abs(p1 - p2) / standardError > CriticalZ) different++;
        }
        return new DifferentBinsResult(different, k, realShares, generatedShares);
    }

    static long[] Counts(Tensor assignment, int k)
    {
        var counts = new long[k];
        foreach (long index in assignment.data<long>()) counts[index]++;
        return counts;
    }
}
