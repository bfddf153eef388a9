using Oneshot.Statistics;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Prior;

/// <summary>A Gaussian mixture with full covariances, fitted by expectation–maximisation.</summary>
public sealed class MixturePrior : LatentPrior
{
    const double Ridge = 1e-4; // keeps every covariance invertible (standardised units)
    readonly Tensor _logWeights, _centres, _choleskys;

    public MixturePrior(PriorConfig config, Tensor mean, Tensor std, Tensor logWeights, Tensor centres,
        Tensor choleskys) : base(config, mean, std)
    {
        _logWeights = logWeights.to_type(ScalarType.Float64, copy: true).DetachFromDisposeScope();
        _centres = centres.to_type(ScalarType.Float64, copy: true).DetachFromDisposeScope();
        _choleskys = choleskys.to_type(ScalarType.Float64, copy: true).DetachFromDisposeScope();
    }

    /// <summary>EM from k-means++-style seeded centres; stops when the mean log-likelihood gains less than 1e-6
    /// nats.</summary>
    public static MixturePrior Fit(PriorConfig config, Tensor mean, Tensor std, Tensor x, int iterations = 200)
    {
        using var scope = NewDisposeScope();
        int k = Math.Min(config.Components, (int)x.shape[0]);
        long n = x.shape[0], d = x.shape[1];
        using var generator = new Generator((ulong)Seeds.Mix(config.Seed, 0x6A11));
        var centres = KMeans.SeedCentres(x, k, generator);
        var identity = eye(d, dtype: ScalarType.Float64);
        var covariance = Covariance(x, ones(n, dtype: ScalarType.Float64)).Plus(identity.Times(Ridge));
        var choleskys = linalg.cholesky(covariance).unsqueeze(0).expand(k, d, d).contiguous();
        var logWeights = full(k, Scalars.Of(-Math.Log(k)), dtype: ScalarType.Float64);
        double previous = double.NegativeInfinity;
        for (int i = 0; i < iterations; i++)
        {
            using var step = NewDisposeScope();
            var joint = Components(x, logWeights, centres, choleskys);                      // [n, k]
            var total = joint.logsumexp(1, keepdim: true);
            double likelihood = total.mean().item<double>();
            var responsibilities = (joint - total).exp();                                    // [n, k]
            var mass = responsibilities.sum(0L).Plus(1e-10);
            logWeights = mass.DividedBy(n).log();
            centres = responsibilities.t().matmul(x) / mass.unsqueeze(1);
            choleskys = stack(Enumerable.Range(0, k).Select(j =>
                linalg.cholesky(Covariance(x - centres[j], responsibilities.select(1, j)).Plus(identity.Times(Ridge))))
                    .ToArray());
            (logWeights, centres, choleskys) = (logWeights.MoveToOuterDisposeScope(), centres.MoveToOuterDisposeScope(),
                choleskys.MoveToOuterDisposeScope());
            if (likelihood - previous < 1e-6) break;
            previous = likelihood;
        }
        return new MixturePrior(config, mean, std, logWeights, centres, choleskys);
    }

    /// <summary>Σ wᵢ xᵢ xᵢᵀ / Σ wᵢ for already-centred rows.</summary>
    static Tensor Covariance(Tensor centred, Tensor weights) =>
        (centred * weights.unsqueeze(1)).t().matmul(centred) / weights.sum().Plus(1e-10);

    /// <summary>log πⱼ + log N(x; μⱼ, Σⱼ) for every row and component: [n, k].</summary>
    static Tensor Components(Tensor x, Tensor logWeights, Tensor centres, Tensor choleskys) =>
        stack(Enumerable.Range(0, (int)centres.shape[0]).Select(j =>
            GaussianPrior.LogDensity(x, centres[j], choleskys[j])).ToArray(), 1).Plus(logWeights);

    protected override Tensor StandardisedLogProb(Tensor x) =>
        Components(x, _logWeights, _centres, _choleskys).logsumexp(1);

    protected override Tensor StandardisedSample(int count, double temperature, Generator generator)
    {
        var component = multinomial(_logWeights.exp(), count, replacement: true, generator: generator);
        var noise = Noise(count, temperature, generator).unsqueeze(2);                      // [count, d, 1]
        return _choleskys.index_select(0, component).bmm(noise).squeeze(2).Plus(_centres.index_select(0, component));
    }

    public override IEnumerable<KeyValuePair<string, Tensor>> State() =>
        [new("gmm.log_weights", _logWeights), new("gmm.centres", _centres), new("gmm.choleskys", _choleskys)];

    public override void Dispose()
    {
        _logWeights.Dispose();
        _centres.Dispose();
        _choleskys.Dispose();
        base.Dispose();
    }
}
