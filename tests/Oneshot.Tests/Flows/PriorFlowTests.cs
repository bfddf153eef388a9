using Oneshot.Flows;
using Oneshot.Optimisation;
using Oneshot.TorchInterop;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Tests.Flows;

public class PriorFlowTests
{
    const int Dimensions = 5;

    /// <summary>Every transform, in float64, moved away from its identity start so the checks see a real map.</summary>
    public static TheoryData<string> Transforms => new()
        { "actnorm", "linear", "spline", "affine", "maf", "reverse", "nsf", "realnvp", "maf-flow" };

    static (nn.Module Module, IFlowTransform Transform) Build(string name, int dimensions = Dimensions,
        double perturbation = 0.3)
    {
        random.manual_seed(5);
        nn.Module module = name switch
        {
            "actnorm" => new ActNorm(dimensions),
            "linear" => new InvertibleLinear(dimensions, seed: 3),
            "spline" => new SplineCoupling(dimensions, parity: 1, hidden: 16, bins: 6, bound: 2),
            "affine" => new AffineCoupling(dimensions, parity: 0, hidden: 16),
            "maf" => new AffineAutoregressive(dimensions, hidden: 16),
            "reverse" => new Reverse(),
            _ =>
                new FlowDistribution(name switch { "nsf" => FlowKind.Nsf, "realnvp" => FlowKind.RealNvp,
                _ => FlowKind.Maf }, dimensions, 3, 16, bins: 6, bound: 2),
        };
        module.to(ScalarType.Float64);
        module.eval();
        using (no_grad())
            foreach (var p in module.parameters()) p.add_(randn_like(p).Times(perturbation));
        var transform = module is FlowDistribution flow ? new WholeFlow(flow) : (IFlowTransform)module;
        return (module, transform);
    }

    sealed class WholeFlow(FlowDistribution flow) : IFlowTransform
    {
        public (Tensor Output, Tensor LogDet) Forward(Tensor x) => flow.ToBase(x);
        public (Tensor Output, Tensor LogDet) Inverse(Tensor u) =>
            (flow.FromBase(u), zeros(u.shape[0], dtype: u.dtype));
    }

    static Tensor Inputs() => cat([
        randn(6, Dimensions, dtype: ScalarType.Float64),
        randn(2, Dimensions, dtype: ScalarType.Float64).Times(6),                  // far outside the spline bounds
        full(1, Dimensions, 2.0, dtype: ScalarType.Float64),                       // exactly on the bound
        full(1, Dimensions, -2.0000001, dtype: ScalarType.Float64),
    ], 0);

    [Theory]
    [MemberData(nameof(Transforms))]
    public void Inverse_undoes_forward(string name)
    {
        using var scope = NewDisposeScope();
        var (module, transform) = Build(name);
        var x = Inputs();
        var (u, _) = transform.Forward(x);
        if (name != "reverse")
            Assert.True((u - x).abs().max().item<double>() > 1e-3, "the transform should not be the identity");
        var (back, _) = transform.Inverse(u);
        double error = (back - x).abs().max().item<double>();
        // float64, random weights and inputs: a stacked spline's inverse (a quadratic solved per
        // layer) has reached 5e-9 on inputs 18 units out; a wrong inverse is off by far more than 1e-7.
        Assert.True(error < 1e-7, $"{name}: inverse error {error:E2}");
        module.Dispose();
    }

    [Theory]
    [MemberData(nameof(Transforms))]
    public void Log_determinant_matches_a_brute_force_jacobian(string name)
    {
        using var scope = NewDisposeScope();
        var (module, transform) = Build(name);
        var x = Inputs();
        var (_, logDet) = transform.Forward(x);
        for (int row = 0; row < x.shape[0]; row++)
            Assert.Equal(Jacobian.LogAbsDet(point => transform.Forward(point).Output, x[row]),
                logDet[row].item<double>(), 1e-8);
        if (module is not FlowDistribution)
        {
            var (u, _) = transform.Forward(x);
            var (_, inverseLogDet) = transform.Inverse(u);
            Assert.True((inverseLogDet + logDet).abs().max().item<double>() < 1e-9,
                "the inverse's log|det| must be minus the forward one");
        }
        module.Dispose();
    }

    [Fact]
    public void Spline_maps_knots_to_knots_both_ways()
    {
        using var scope = NewDisposeScope();
        const int bins = 5;
        const double bound = 2.5;
        var parameters = randn(1, 3, RationalQuadraticSpline.ParameterCount(bins), dtype: ScalarType.Float64);
        var (knotsX, knotsY) = RationalQuadraticSpline.KnotPositions(parameters, bins, bound);
        for (int k = 0; k <= bins; k++)
        {
            var x = knotsX.select(-1, k);
            var y = knotsY.select(-1, k);
            var (forward, _) = RationalQuadraticSpline.Apply(x, parameters, bins, bound, inverse: false);
            var (inverse, _) = RationalQuadraticSpline.Apply(y, parameters, bins, bound, inverse: true);
            Assert.True((forward - y).abs().max().item<double>() < 1e-12, $"knot {k}: forward");
            Assert.True((inverse - x).abs().max().item<double>() < 1e-12, $"knot {k}: inverse");
        }
    }

    [Fact]
    public void Gradients_stay_finite_for_inputs_outside_the_spline()
    {
        using var scope = NewDisposeScope();
        var (module, _) = Build("nsf");
        var flow = (FlowDistribution)module;
        var x = tensor(new double[] { 40, -40, 2, -2, 1e6, 0.5, -3, 3, 2.0000001, 7 }, [2, Dimensions])
            .requires_grad_(true);
        flow.LogProb(x).sum().backward();
        Assert.True(x.grad!.isfinite().all().item<bool>());
        Assert.All(flow.parameters(), p => Assert.True(p.grad is null || p.grad.isfinite().all().item<bool>()));
        module.Dispose();
    }

    [Theory]
    [InlineData("nsf")]
    [InlineData("realnvp")]
    [InlineData("maf-flow")]
    public void A_two_dimensional_density_integrates_to_one(string name)
    {
        using var scope = NewDisposeScope();
        // A milder perturbation keeps nearly all the mass inside the grid.
        var (module, _) = Build(name, dimensions: 2, perturbation: 0.1);
        var flow = (FlowDistribution)module;
        const double limit = 10, step = 0.04;
        var axis = arange(-limit + step / 2, limit, step, dtype: ScalarType.Float64);
        var grid = stack(meshgrid([axis, axis], indexing: "ij"), -1).view(-1, 2);
        double total;
        using (no_grad()) total = flow.LogProb(grid).exp().sum().item<double>() * step * step;
        Assert.True(Math.Abs(total - 1) < 1e-3, $"{name}: ∫p = {total:F5}");
        module.Dispose();
    }

    [Fact]
    public void Temperature_zero_gives_one_point()
    {
        using var scope = NewDisposeScope();
        var (module, _) = Build("nsf");
        var samples = ((FlowDistribution)module).Sample(4, 0, dtype: ScalarType.Float64);
        Assert.True((samples - samples[0]).abs().max().item<double>() == 0);
        module.Dispose();
    }

    [Fact]
    public void Fitting_a_known_gaussian_reaches_its_entropy_and_never_goes_below()
    {
        using var scope = NewDisposeScope();
        const int d = 16;
        using var generator = new Generator(21);
        var mixing = randn([d, d], generator: generator, dtype: ScalarType.Float64).Times(0.4)
            .Plus(eye(d, dtype: ScalarType.Float64));
        var mean = randn([d], generator: generator, dtype: ScalarType.Float64);
        Tensor Draw(int n) => randn([n, d], generator: generator, dtype: ScalarType.Float64).matmul(mixing.t())
            .Plus(mean);
        var covariance = mixing.matmul(mixing.t());
        double entropyPerDim =
            (0.5 * linalg.slogdet(covariance).Item2.item<double>() + 0.5 * d * (1 + Math.Log(2 * Math.PI))) / d;

        random.manual_seed(2);
        using var flow = new FlowDistribution(FlowKind.Nsf, d, layerCount: 2, hidden: 32, bins: 6, bound: 4);
        flow.to(ScalarType.Float64);
        var train = Draw(20_000);
        var heldOut = Draw(10_000);
        flow.train();
        using (no_grad()) flow.LogProb(train.narrow(0, 0, 2000)); // ActNorm's data-dependent initialisation
        using var adam = new AdamOptimizer(flow.named_parameters().Select(p => (p.name, p.parameter)), 0.9, 0.999,
            1e-8);
        for (int step = 0; step < 400; step++)
        {
            using var stepScope = NewDisposeScope();
            adam.ZeroGrad();
            var batch = train.narrow(0, step * 256 % (20_000 - 256), 256);
            flow.LogProb(batch).mean().neg().backward();
            adam.Step(step < 300 ? 3e-3 : 1e-3);
        }
        flow.eval();
        double nllPerDim;
        using (no_grad()) nllPerDim = -flow.LogProb(heldOut).mean().item<double>() / d;
        Assert.True(nllPerDim < entropyPerDim + 0.05, $"held-out NLL {nllPerDim:F4} nats/dim vs entropy " +
            $"{entropyPerDim:F4}");
        Assert.True(nllPerDim > entropyPerDim - 0.01, $"held-out NLL {nllPerDim:F4} below the entropy " +
            $"{entropyPerDim:F4}: a bug");
    }
}
