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
        using var withFilm = new WaveformVae(config with { DecoderFilm = true });
        using var plain = new WaveformVae(config);
        var weights = ModelDirectory.Weights(withFilm);
        var filmNames = weights.Keys.Where(k => k.StartsWith("decoder.film.", StringComparison.Ordinal)).ToList();
        Assert.Equal(2 * config.Ratios.Length, filmNames.Count);   // a weight and a bias per stage
        Assert.Empty(weights.Keys.Except(filmNames).Except(ModelDirectory.Weights(plain).Keys));
        ModelDirectory.LoadWeights(plain, weights.Where(p => !filmNames.Contains(p.Key)).ToDictionary(), "the film model");

        var z = randn(3, config.LatentSize);
        using (no_grad())
            Assert.True(withFilm.Decode(z).allclose(plain.Decode(z), rtol: 0, atol: 1e-6), "zero FiLM is no FiLM");

        // The scale and shift take gradient, and once they move, z shapes the stages.
        withFilm.Decode(z).Squared().mean().backward();
        Assert.All(withFilm.named_parameters().Where(p => p.name.StartsWith("decoder.film.", StringComparison.Ordinal) && p.name.EndsWith("weight", StringComparison.Ordinal)),
            p => Assert.True(p.parameter.grad!.abs().sum().item<float>() > 0, p.name));
        using (no_grad())
        {
            foreach (var (_, p) in withFilm.named_parameters().Where(p => p.name.StartsWith("decoder.film.", StringComparison.Ordinal)))
                p.copy_(randn_like(p).Times(0.1));
            Assert.False(withFilm.Decode(z).allclose(plain.Decode(z), rtol: 0, atol: 1e-4));
        }
    }
}
