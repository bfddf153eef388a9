namespace Oneshot.Model;

/// <summary>latent.json: where the training clips sit in latent space (posterior means; z_K of μ with a
/// flow).</summary>
public sealed record LatentStatistics
{
    public required int LatentSize { get; init; }
    public required int Count { get; init; }
    public required string Split { get; init; }
    /// <summary>Training step of the weights these statistics describe.</summary>
    public required long Step { get; init; }
    public required double[] Mean { get; init; }
    public required double[] Std { get; init; }
    /// <summary>Principal directions, largest variance first; each row has length N.</summary>
    public required double[][] Components { get; init; }
    public required double[] ExplainedVariance { get; init; }
    public required double[] ExplainedVarianceRatio { get; init; }
    /// <summary>Components needed to reach 95 % of the variance (RAVE's "fidelity").</summary>
    public required int ComponentsFor95Percent { get; init; }
    /// <summary>Directions named for what they change (missing in latent.json files written before they
    /// existed).</summary>
    public NamedControl[] Controls { get; init; } = [];
}
