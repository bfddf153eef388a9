using Oneshot.Model;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Tests.Model;

[Trait("Category", "Numerics")] // rerun under every ISA cap (scripts/run-tests.sh)
public class EncoderInputTests
{
    static ModelConfig Tiny(EncoderInput input) =>
        Presets.Get("tiny").Model with { SampleRate = 8000, ClipLength = 8192, EncoderInput = input };

    [Fact]
    public void A_log_mel_encoder_gives_one_latent_per_clip_and_learns()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(4);
        var config = Tiny(EncoderInput.LogMel);
        using var model = new WaveformVae(config);
        var clips = randn(3, config.ClipLength).Times(0.1);
        var posterior = model.Encode(clips);
        Assert.Equal([3L, config.LatentSize], posterior.Mean.shape);
        Assert.True(posterior.Mean.isfinite().all().item<bool>());

        var output = model.Forward(clips, null);
        output.Reconstruction.abs().mean().Plus(output.KlPerItem.mean()).backward();
        var input = model.named_parameters().Where(p => p.name.StartsWith("encoder.input.", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(input);
        Assert.All(input, p =>
            Assert.True(p.parameter.grad is { } g && g.abs().sum().item<float>() > 0, $"'{p.name}' got no gradient"));
        // It starts at the frame rate after the stages it replaces, which are not built.
        for (int stage = 0; stage < config.Ratios.Length; stage++)
            Assert.Equal(stage >= config.EncoderMelStages, model.named_parameters()
                .Any(p => p.name.StartsWith($"encoder.stages.{stage}.", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_log_mel_encoder_hears_a_clip_and_its_inverse_alike_and_the_band_encoder_does_not()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var clips = randn(2, 8192).Times(0.1);
        foreach (var input in new[] { EncoderInput.LogMel, EncoderInput.Pqmf })
        {
            using var model = new WaveformVae(Tiny(input));
            model.eval();
            using var _ = no_grad();
            var same = model.Encode(clips).Mean;
            var inverted = model.Encode(clips.neg()).Mean;
            float difference = (same - inverted).abs().max().item<float>();
            if (input == EncoderInput.LogMel)
                Assert.True(difference < 1e-4, $"log-mel latents differ by {difference} for a phase-inverted clip");
            else Assert.True(difference > 1e-3, "the band encoder should see the phase");
        }
    }
}
