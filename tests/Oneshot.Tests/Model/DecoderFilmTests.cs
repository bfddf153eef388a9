using Oneshot.Model;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Tests.Model;

public class DecoderFilmTests
{
    [Fact]
    public void Film_starts_as_no_film_and_then_lets_z_steer_every_stage()
    {
        using var scope = NewDisposeScope();
        var config = Presets.Get("tiny").Model;
        var (withFilm, plain, z) = ZeroStartBranch.StartsAsWithoutAndLearns(config, config with { DecoderFilm = true },
            "decoder.film.");
        using var disposeFilm = withFilm;
        using var disposePlain = plain;

        // Once the scale and shift move, z shapes the stages.
        using (no_grad())
        {
            foreach (var (_, p) in withFilm.named_parameters()
                .Where(p => p.name.StartsWith("decoder.film.", StringComparison.Ordinal)))
                p.copy_(randn_like(p).Times(0.1));
            Assert.False(withFilm.Decode(z).allclose(plain.Decode(z), rtol: 0, atol: 1e-4));
        }
    }
}
