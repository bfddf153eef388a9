using Oneshot.Flows;
using static TorchSharp.torch;

namespace Oneshot.Prior;

/// <summary>A normalizing-flow prior (nsf, maf or realnvp) on the standardised latents.</summary>
public sealed class FlowPrior : LatentPrior
{
    public FlowPrior(PriorConfig config, Tensor mean, Tensor std) : base(config, mean, std)
    {
        var kind = config.Kind switch
        {
            PriorKind.Nsf => FlowKind.Nsf,
            PriorKind.Maf => FlowKind.Maf,
            PriorKind.RealNvp => FlowKind.RealNvp,
            _ => throw new ArgumentException($"{config.Kind} is not a flow prior"),
        };
        Flow = new FlowDistribution(kind, Dimensions, config.Layers, config.Hidden, config.Bins, config.Bound,
            config.Seed);
    }

    public FlowDistribution Flow { get; }

    /// <summary>The flow runs in float32 (its weights); results come back in float64 like the other priors.</summary>
    protected override Tensor StandardisedLogProb(Tensor x) =>
        Flow.LogProb(x.to_type(ScalarType.Float32)).to_type(ScalarType.Float64);

    protected override Tensor StandardisedSample(int count, double temperature, Generator generator) =>
        Flow.FromBase(Noise(count, temperature, generator).to_type(ScalarType.Float32)).to_type(ScalarType.Float64);

    public override IEnumerable<KeyValuePair<string, Tensor>> State() =>
        Flow.state_dict().Select(p => new KeyValuePair<string, Tensor>("flow." + p.Key, p.Value));

    public override void Dispose()
    {
        Flow.Dispose();
        base.Dispose();
    }
}
