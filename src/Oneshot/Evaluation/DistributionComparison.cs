namespace Oneshot.Evaluation;

/// <summary>Settings of a comparison between two sets of embeddings.</summary>
public sealed record DistributionOptions
{
    public int Seed { get; init; } = 1;
    public int KidSubsets { get; init; } = 100;
    /// <summary>KID subset size; null: min(1000, n/2) with n the smaller set (capped at n when given).</summary>
    public int? KidSubsetSize { get; init; }
    public int FadInfinitySteps { get; init; } = 25;
    public int FadInfinityMinimumSize { get; init; } = 500;
    /// <summary>k-means bins of NDB; null: <see cref="DifferentBins.DefaultBins"/>.</summary>
    public int? NdbBins { get; init; }
}

/// <summary>Every distribution metric between a reference set (real clips) and a candidate set (generated
/// clips).</summary>
public sealed record DistributionComparison(
    int ReferenceCount, int CandidateCount, int Dimensions,
    double Fad, FrechetExtrapolation FadInfinity, KernelDistanceResult Kid, ManifoldResult Manifold,
    double ReferenceVendi, double CandidateVendi, DifferentBinsResult Ndb)
{
    public static DistributionComparison Compute(EmbeddingMatrix reference, EmbeddingMatrix candidates,
        DistributionOptions? options = null)
    {
        options ??= new DistributionOptions();
        FrechetDistance.CheckShapes(reference, candidates);
        return new DistributionComparison(
            reference.Count, candidates.Count, reference.Dimensions,
            FrechetDistance.Between(reference, candidates),
            FrechetDistance.Extrapolate(reference, candidates, options.Seed, options.FadInfinitySteps,
                options.FadInfinityMinimumSize),
            KernelDistance.Between(reference, candidates, options.Seed, options.KidSubsets, options.KidSubsetSize),
            ManifoldMetrics.Compare(reference, candidates),
            VendiScore.Of(reference), VendiScore.Of(candidates),
            DifferentBins.Compare(reference, candidates, options.Seed, options.NdbBins));
    }

    /// <summary>Name → value, for tables and metrics.json (lower is better for fad, fad_inf, kid, ndb).</summary>
    public IReadOnlyList<(string Name, double Value)> Values() =>
    [
        ("fad", Fad),
        ("fad_inf", FadInfinity.Value),
        ("kid", Kid.Mean),
        ("kid_std", Kid.Std),
        ("precision", Manifold.Precision),
        ("recall", Manifold.Recall),
        ("density", Manifold.Density),
        ("coverage", Manifold.Coverage),
        ("vendi_reference", ReferenceVendi),
        ("vendi", CandidateVendi),
        ("ndb", Ndb.Different),
        ("ndb_fraction", Ndb.Fraction),
    ];
}
