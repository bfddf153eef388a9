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
        var (withPositions, plain, z) = ZeroStartBranch.StartsAsWithoutAndLearns(config,
            config with { DecoderPositions = 8 }, "decoder.positions.");
        using var disposePositions = withPositions;
        using var disposePlain = plain;

        // Once they move, the same latent decodes differently.
        using (no_grad())
        {
            foreach (var (_, p) in withPositions.named_parameters()
                .Where(p => p.name.StartsWith("decoder.positions.", StringComparison.Ordinal)
                && p.name.EndsWith("weight", StringComparison.Ordinal)))
                p.copy_(randn_like(p).Times(0.5));
            Assert.True((withPositions.Decode(z) - plain.Decode(z)).abs().max().item<float>() > 1e-4,
                "the position channels change nothing");
        }
    }

    [Fact]
    public void Position_channels_are_checked()
    {
        var error = Assert.Throws<OneshotException>(() => (Presets.Get("tiny").Model with { DecoderPositions = -1 })
            .Validate());
        Assert.Contains("model.decoder_positions", error.Message);
    }
}
