using Oneshot.TorchInterop;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Prior;

/// <summary>
/// A density over a model's latents z ([B, N]), used to score held-out latents and to sample new ones.
/// Every prior but the standard normal works on standardised latents (z − mean) / std, fitted on the
/// training posterior; LogProb always answers in the units of z (the −Σ log std is included), so
/// all priors compare directly.
/// </summary>
public abstract class LatentPrior : IDisposable
{
    protected static readonly double HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);

    protected LatentPrior(PriorConfig config, Tensor mean, Tensor std)
    {
        Config = config;
        Mean = mean.to_type(ScalarType.Float64, copy: true).DetachFromDisposeScope();
        Std = std.to_type(ScalarType.Float64, copy: true).DetachFromDisposeScope();
        Dimensions = (int)mean.shape[0];
    }

    public PriorConfig Config { get; }
    public PriorKind Kind => Config.Kind;
    public int Dimensions { get; }
    public Tensor Mean { get; }
    public Tensor Std { get; }

    /// <summary>log p(x) per row for standardised latents x.</summary>
    protected abstract Tensor StandardisedLogProb(Tensor x);

    /// <summary>Standardised samples, the base noise scaled by the temperature.</summary>
    protected abstract Tensor StandardisedSample(int count, double temperature, Generator generator);

    /// <summary>Tensors to save besides the standardisation (prior.safetensors).</summary>
    public abstract IEnumerable<KeyValuePair<string, Tensor>> State();

    /// <summary>log p(z) per row, nats, float64.</summary>
    public Tensor LogProb(Tensor z)
    {
        var x = (z.to_type(ScalarType.Float64) - Mean) / Std;
        return StandardisedLogProb(x) - Std.log().sum();
    }

    /// <summary>[count, N] float32 latents; temperature 0 gives the mode of the base (every sample the same for flows
    /// and Gaussians).</summary>
    public Tensor Sample(int count, double temperature, Generator generator)
    {
        using var scope = NewDisposeScope();
        return (StandardisedSample(count, temperature, generator) * Std).Plus(Mean).to_type(ScalarType.Float32)
            .MoveToOuterDisposeScope();
    }

    public virtual void Dispose()
    {
        Mean.Dispose();
        Std.Dispose();
    }

    /// <summary>log N(x; 0, I) per row.</summary>
    protected static Tensor StandardNormalLogProb(Tensor x) => x.Squared().Times(-0.5).Minus(HalfLogTwoPi).sum(1);

    protected Tensor Noise(int count, double temperature, Generator generator)
    {
        using Scalar scale = temperature;
        return randn([count, Dimensions], generator: generator, dtype: ScalarType.Float64).mul(scale);
    }
}
