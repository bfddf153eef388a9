using Oneshot.Model;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Tests.Model;

public class DecoderPositionTests
{
    [Fact]
    public void Position_channels_start_silent_then_give_every_stage_where_in_the_clip_it_is()
    {
        using var scope = NewDisposeScope();
        var config = Presets.Get("tiny").Model;
        using var withPositions = new WaveformVae(config with { DecoderPositions = 8 });
        using var plain = new WaveformVae(config);
        var weights = ModelDirectory.Weights(withPositions);
        var positionNames = weights.Keys.Where(k => k.StartsWith("decoder.positions.", StringComparison.Ordinal)).ToList();
        Assert.Equal(2 * config.Ratios.Length, positionNames.Count);   // a weight and a bias per stage
        Assert.Empty(weights.Keys.Except(positionNames).Except(ModelDirectory.Weights(plain).Keys));
        ModelDirectory.LoadWeights(plain, weights.Where(p => !positionNames.Contains(p.Key)).ToDictionary(), "the position model");

        var z = randn(3, config.LatentSize);
        using (no_grad())
            Assert.True(withPositions.Decode(z).allclose(plain.Decode(z), rtol: 0, atol: 1e-6), "silent position channels are none");

        withPositions.Decode(z).Squared().mean().backward();
        Assert.All(withPositions.named_parameters().Where(p => p.name.StartsWith("decoder.positions.", StringComparison.Ordinal) && p.name.EndsWith("weight", StringComparison.Ordinal)),
            p => Assert.True(p.parameter.grad!.abs().sum().item<float>() > 0, p.name));

        // Once they move, the same latent decodes differently.
        using (no_grad())
        {
            foreach (var (_, p) in withPositions.named_parameters().Where(p => p.name.StartsWith("decoder.positions.", StringComparison.Ordinal) && p.name.EndsWith("weight", StringComparison.Ordinal)))
                p.copy_(randn_like(p).Times(0.5));
            Assert.True((withPositions.Decode(z) - plain.Decode(z)).abs().max().item<float>() > 1e-4, "the position channels change nothing");
        }
    }

    [Fact]
    public void Position_channels_are_checked()
    {
        var error = Assert.Throws<OneshotException>(() => (Presets.Get("tiny").Model with { DecoderPositions = -1 }).Validate());
        Assert.Contains("model.decoder_positions", error.Message);
    }
}
