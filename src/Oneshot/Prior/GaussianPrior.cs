using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Prior;

/// <summary>A full-covariance Gaussian, fitted in closed form (maximum likelihood).</summary>
public sealed class GaussianPrior : LatentPrior
{
    readonly Tensor _centre, _cholesky;

    public GaussianPrior(PriorConfig config, Tensor mean, Tensor std, Tensor centre, Tensor cholesky) : base(config,
        mean, std)
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
        var covariance = centred.t().matmul(centred).DividedBy(x.shape[0])
            .Plus(eye(x.shape[1], dtype: ScalarType.Float64).Times(1e-6));
        return new GaussianPrior(config, mean, std, centre, linalg.cholesky(covariance));
    }

    internal static Tensor LogDensity(Tensor x, Tensor centre, Tensor cholesky)
    {
        var solved = linalg.solve_triangular(cholesky, (x - centre).t(), upper: false);
        return (solved.Squared().sum(0L).Times(-0.5) - cholesky.diagonal().log().sum())
            .Minus(HalfLogTwoPi * x.shape[1]);
    }

    protected override Tensor StandardisedLogProb(Tensor x) => LogDensity(x, _centre, _cholesky);

    protected override Tensor StandardisedSample(int count, double temperature, Generator generator) =>
        Noise(count, temperature, generator).matmul(_cholesky.t()).Plus(_centre);

    public override IEnumerable<KeyValuePair<string, Tensor>> State() =>
        [new("gaussian.centre", _centre), new("gaussian.cholesky", _cholesky)];

    public override void Dispose()
    {
        _centre.Dispose();
        _cholesky.Dispose();
        base.Dispose();
    }
}
