using Oneshot.Model;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Tests.Model;

/// <summary>
/// What every decoder branch that starts at zero (FiLM, time-position channels) must do: add a
/// weight and a bias per stage under its own prefix and nothing else, decode exactly as the model
/// without it, and take gradient. The caller then moves it and checks that it steers.
/// </summary>
static class ZeroStartBranch
{
    public static (WaveformVae WithBranch, WaveformVae Plain,
        Tensor Z) StartsAsWithoutAndLearns(ModelConfig plainConfig, ModelConfig branchConfig, string prefix)
    {
        var withBranch = new WaveformVae(branchConfig);
        var plain = new WaveformVae(plainConfig);
        var weights = ModelDirectory.Weights(withBranch);
        var branchNames = weights.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(2 * plainConfig.Ratios.Length, branchNames.Count);   // a weight and a bias per stage
        Assert.Empty(weights.Keys.Except(branchNames).Except(ModelDirectory.Weights(plain).Keys));
        ModelDirectory.LoadWeights(plain, weights.Where(p => !branchNames.Contains(p.Key)).ToDictionary(),
            $"the {prefix} model");

        var z = randn(3, plainConfig.LatentSize);
        using (no_grad())
            Assert.True(withBranch.Decode(z).allclose(plain.Decode(z), rtol: 0, atol: 1e-6),
                $"{prefix} at zero changes the sound");

        withBranch.Decode(z).Squared().mean().backward();
        Assert.All(withBranch.named_parameters().Where(p => p.name.StartsWith(prefix, StringComparison.Ordinal)
            && p.name.EndsWith("weight", StringComparison.Ordinal)),
            p => Assert.True(p.parameter.grad!.abs().sum().item<float>() > 0, p.name));
        return (withBranch, plain, z);
    }
}
