using static TorchSharp.torch;

namespace Oneshot.Prior;

/// <summary>N(0, I) on z itself: the prior the VAE was trained towards; no fitting.</summary>
public sealed class StandardNormalPrior(int dimensions)
    : LatentPrior(new PriorConfig { Kind = PriorKind.Standard }, zeros(dimensions, dtype: ScalarType.Float64),
        ones(dimensions, dtype: ScalarType.Float64))
{
    protected override Tensor StandardisedLogProb(Tensor x) => StandardNormalLogProb(x);
    protected override Tensor StandardisedSample(int count, double temperature, Generator generator) =>
        Noise(count, temperature, generator);
    public override IEnumerable<KeyValuePair<string, Tensor>> State() => [];
}
