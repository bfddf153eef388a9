using System.Reflection;
using Oneshot.Flows;
using Oneshot.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Tests.Model;

/// <summary>
/// What `--device cuda` needs of every module, checked without a GPU: moved to libtorch's "meta"
/// device, every tensor the module and its submodules hold goes with it (a constant left on the
/// CPU fails the first CUDA forward pass with a device mismatch).
/// </summary>
public class DeviceTests
{
    static readonly Device Meta = new(DeviceType.META);

    /// <summary>Every tensor field of our own module classes that stayed behind (scalars may: libtorch moves them
    /// itself).</summary>
    static List<string> LeftBehind(nn.Module root)
    {
        var stray = new List<string>();
        foreach (var (name, module) in root.named_modules().Prepend(("", root)))
            for (var type = module.GetType(); type is not null
                && type.Namespace?.StartsWith("Oneshot", StringComparison.Ordinal) == true; type = type.BaseType)
                foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic
                    | BindingFlags.Public | BindingFlags.DeclaredOnly))
                {
                    var tensors = field.GetValue(module) switch
                    {
                        Tensor t => [t],
                        IEnumerable<Tensor> many => many,
                        IDictionary<int, Tensor> byKey => byKey.Values,
                        _ => [],
                    };
                    foreach (var t in tensors)
                        if (!t.IsInvalid && t.dim() > 0 && t.device_type != DeviceType.META)
                            stray.Add($"{type.Name} '{name}'.{field.Name} on {t.device}");
                }
        return stray;
    }

    public static TheoryData<string> Models => ["iaf", "sylvester", "none"];

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_tensor_of_the_model_follows_it_to_another_device(string posterior)
    {
        var config = Presets.Get("tiny").Model with
        {
            Modes = 24, DecoderFilm = true, DecoderActivation = Activation.Snake, NoiseBranch = true,
            PosteriorFlow = Enum.Parse<PosteriorFlowKind>(posterior, ignoreCase: true),
        };
        using var model = new WaveformVae(config);
        model.to(Meta);
        Assert.Empty(LeftBehind(model));
    }

    [Fact]
    public void Every_tensor_of_the_discriminators_and_the_flow_priors_follows_them()
    {
        using var discriminators = new DiscriminatorSet([2, 3], scaleCount: 2, capacity: 4, maxChannels: 16,
            fftSizes: [256, 64]);
        discriminators.to(Meta);
        Assert.Empty(LeftBehind(discriminators));
        foreach (var kind in Enum.GetValues<FlowKind>())
        {
            using var flow = new FlowDistribution(kind, dimensions: 6, layerCount: 2, hidden: 8);
            // What a saved prior holds must not change with the device work: MADE's masks are rebuilt, not saved.
            Assert.DoesNotContain(flow.state_dict().Keys, k => k.EndsWith("mask", StringComparison.Ordinal));
            flow.to(Meta);
            Assert.Empty(LeftBehind(flow));
        }
    }
}
