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

    /// <summary>[count, N] float32 latents; temperature 0 gives the mode of the base (every sample the same for flows and Gaussians).</summary>
    public Tensor Sample(int count, double temperature, Generator generator)
    {
        using var scope = NewDisposeScope();
        return (StandardisedSample(count, temperature, generator) * Std).Plus(Mean).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
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

/// <summary>N(0, I) on z itself: the prior the VAE was trained towards; no fitting.</summary>
public sealed class StandardNormalPrior(int dimensions)
    : LatentPrior(new PriorConfig { Kind = PriorKind.Standard }, zeros(dimensions, dtype: ScalarType.Float64), ones(dimensions, dtype: ScalarType.Float64))
{
    protected override Tensor StandardisedLogProb(Tensor x) => StandardNormalLogProb(x);
    protected override Tensor StandardisedSample(int count, double temperature, Generator generator) => Noise(count, temperature, generator);
    public override IEnumerable<KeyValuePair<string, Tensor>> State() => [];
}

/// <summary>A full-covariance Gaussian, fitted in closed form (maximum likelihood).</summary>
public sealed class GaussianPrior : LatentPrior
{
    readonly Tensor _centre, _cholesky;

    public GaussianPrior(PriorConfig config, Tensor mean, Tensor std, Tensor centre, Tensor cholesky) : base(config, mean, std)
    {
        _centre = centre.to_type(ScalarType.Float64, copy: true).DetachFromDisposeScope();
        _cholesky = cholesky.to_type(ScalarType.Float64, copy: true).DetachFromDisposeScope();
    }

    /// <summary>Fits to standardised samples x ([S, N]).</summary>
    public static GaussianPrior Fit(PriorConfig config, Tensor mean, Tensor std, Tensor x)
    {
        using var scope = NewDisposeScope();
        var centre = x.mean([0L]);
        var centred = x - centre;
        var covariance = centred.t().matmul(centred).DividedBy(x.shape[0]).Plus(eye(x.shape[1], dtype: ScalarType.Float64).Times(1e-6));
        return new GaussianPrior(config, mean, std, centre, linalg.cholesky(covariance));
    }

    internal static Tensor LogDensity(Tensor x, Tensor centre, Tensor cholesky)
    {
        var solved = linalg.solve_triangular(cholesky, (x - centre).t(), upper: false);
        return (solved.Squared().sum(0L).Times(-0.5) - cholesky.diagonal().log().sum()).Minus(HalfLogTwoPi * x.shape[1]);
    }

    protected override Tensor StandardisedLogProb(Tensor x) => LogDensity(x, _centre, _cholesky);

    protected override Tensor StandardisedSample(int count, double temperature, Generator generator) =>
        Noise(count, temperature, generator).matmul(_cholesky.t()).Plus(_centre);

    public override IEnumerable<KeyValuePair<string, Tensor>> State() => [new("gaussian.centre", _centre), new("gaussian.cholesky", _cholesky)];

    public override void Dispose()
    {
        _centre.Dispose();
        _cholesky.Dispose();
        base.Dispose();
    }
}
