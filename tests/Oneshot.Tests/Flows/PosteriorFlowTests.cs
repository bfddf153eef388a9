using Oneshot.Flows;
using Oneshot.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Tests.Flows;

public class PosteriorFlowTests
{
    const int Dimensions = 6;
    const int ContextSize = 3;

    static PosteriorFlow Build(PosteriorFlowKind kind, int steps)
    {
        random.manual_seed(7);
        var flow =
            new PosteriorFlow(new ModelConfig { LatentSize = Dimensions, ContextSize = ContextSize,
            PosteriorFlow = kind, FlowSteps = steps, FlowHidden = 24, SylvesterRank = 4 });
        flow.to(ScalarType.Float64);
        // Move away from the near-identity initialisation so the checks see a real transform.
        using (no_grad())
            foreach (var p in flow.parameters()) p.add_(randn_like(p) * 0.3);
        return flow;
    }

    public static TheoryData<PosteriorFlowKind, int> Kinds => new()
    {
        { PosteriorFlowKind.Iaf, 1 }, { PosteriorFlowKind.Iaf, 3 }, { PosteriorFlowKind.Sylvester, 1 },
            { PosteriorFlowKind.Sylvester, 2 },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Inverse_undoes_forward(PosteriorFlowKind kind, int steps)
    {
        using var scope = NewDisposeScope();
        using var flow = Build(kind, steps);
        var z = randn(5, Dimensions, dtype: ScalarType.Float64) * 2;
        var context = randn(5, ContextSize, dtype: ScalarType.Float64);
        var (output, _) = flow.Forward(z, context);
        Assert.True((output - z).abs().max().item<double>() > 1e-2, "the flow should not be the identity");
        var back = flow.Inverse(output, context);
        Assert.True((back - z).abs().max().item<double>() < 1e-9,
            $"inverse error {(back - z).abs().max().item<double>():E2}");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Log_determinant_matches_a_brute_force_jacobian(PosteriorFlowKind kind, int steps)
    {
        using var scope = NewDisposeScope();
        using var flow = Build(kind, steps);
        var context = randn(3, ContextSize, dtype: ScalarType.Float64);
        var zs = randn(3, Dimensions, dtype: ScalarType.Float64);
        var (_, logDet) = flow.Forward(zs, context);
        for (int row = 0; row < 3; row++)
        {
            var rowContext = context[row].unsqueeze(0);
            Assert.Equal(Jacobian.LogAbsDet(z => flow.Forward(z, rowContext).Output, zs[row]),
                logDet[row].item<double>(), 1e-9);
        }
    }

    [Fact]
    public void Monte_carlo_kl_without_a_flow_matches_the_analytic_kl()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        var mean = tensor(new double[] { 0.5, -1.2, 0.0, 2.0 }).unsqueeze(0);
        var std = tensor(new double[] { 0.3, 1.0, 2.5, 0.8 }).unsqueeze(0);
        double analytic = WaveformVae.AnalyticKl(mean, std).sum().item<double>();
        const int samples = 200_000;
        var noise = randn([samples, 4], dtype: ScalarType.Float64, generator: generator);
        var z = mean + std * noise;
        var estimate = WaveformVae.MonteCarloKl(noise, std.expand(samples, 4), z,
            zeros(samples, dtype: ScalarType.Float64));
        double mc = estimate.mean().item<double>();
        double standardError = estimate.std().item<double>() / Math.Sqrt(samples);
        Assert.True(Math.Abs(mc - analytic) < 4 * standardError,
            $"MC {mc:0.0000} vs analytic {analytic:0.0000} (s.e. {standardError:0.0000})");
    }

    [Fact]
    public void Autoregressive_layers_keep_the_parameter_names_saved_models_use()
    {
        // model.safetensors and the optimiser state are keyed by these names.
        string[] made = ["first.weight", "first.bias", "second.weight", "second.bias", "output.weight", "output.bias"];
        using var iaf = new IafStep(Dimensions, 8, ContextSize);
        Assert.Equal(made.Append("context.weight").Append("context.bias").Order(),
            iaf.named_parameters().Select(p => p.name).Order());
        using var maf = new AffineAutoregressive(Dimensions, 8);
        Assert.Equal(made.Order(), maf.named_parameters().Select(p => p.name).Order());
    }
}
