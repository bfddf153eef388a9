using Oneshot.Model;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Tests.Model;

public class SpectralLossTests
{
    [Theory]
    [InlineData(1e-40)]   // float32 subnormals: libtorch's complex abs() backward gave NaN here
    [InlineData(1e-44)]
    [InlineData(0.0)]
    [InlineData(1e-3)]
    public void Gradients_stay_finite_for_near_silent_predictions(double scale)
    {
        using var scope = NewDisposeScope();
        using var loss = new SpectralLoss([512, 128]);
        var target = randn(2, 4096);
        var prediction = randn(2, 4096).mul(scale).requires_grad_(true);
        var value = loss.PerItem(target, prediction).sum();
        value.backward();
        Assert.True(float.IsFinite(value.item<float>()));
        Assert.True(prediction.grad!.isfinite().all().item<bool>(), $"non-finite gradient at scale {scale}");
    }

    [Fact]
    public void Validation_reuses_the_training_loss_as_the_eval_spectral_distance_only_when_they_are_the_same()
    {
        using var scope = NewDisposeScope();
        var config = new ModelConfig();
        Assert.True(ReconstructionMetrics.SpectralIsTrainingLoss(config));
        Assert.False(ReconstructionMetrics.SpectralIsTrainingLoss(config with { SpectralFloorDb = -100 }));
        Assert.False(ReconstructionMetrics.SpectralIsTrainingLoss(config with { StftSizes = [1024, 256] }));

        using var training = new SpectralLoss(config.StftSizes, config.SpectralFloorDb);
        using var metrics = new ReconstructionMetrics(22050);
        var x = randn(2, 8192);
        var y = x.Plus(randn(2, 8192).mul(0.1));
        Assert.True(training.PerItem(x, y).allclose(metrics.Spectral(x, y)));
    }

    [Fact]
    public void Identical_signals_score_zero_and_different_ones_do_not()
    {
        using var scope = NewDisposeScope();
        using var loss = new SpectralLoss([512, 128]);
        var x = randn(2, 4096);
        Assert.True(loss.PerItem(x, x).max().item<float>() < 1e-4);
        Assert.True(loss.PerItem(x, randn(2, 4096)).min().item<float>() > 0.1);
    }

    [Fact]
    public void With_a_floor_an_audible_level_error_outweighs_inaudible_hiss_in_a_silent_tail()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        // A one-shot: a decaying noise burst, then digital silence.
        var time = arange(4096, dtype: ScalarType.Float32);
        var burst = randn([2, 4096], generator: generator).mul(0.3) * time.div(-200.0).exp() * time.lt(1024);
        var quieter = burst.mul(0.7);   // −3 dB: clearly audible
        var hiss = burst.Plus(randn([2, 4096], generator: generator).mul(3e-6) * time.ge(1024));   // −110 dBFS
        using var floored = new SpectralLoss([512, 128], floorDb: -100);
        using var absolute = new SpectralLoss([512, 128]);
        double Score(SpectralLoss loss, Tensor prediction) => loss.PerItem(burst, prediction).mean().item<float>();

        Assert.True(Score(floored, quieter) > 3 * Score(floored, hiss),
            $"floored: level error {Score(floored, quieter):F4}, hiss {Score(floored, hiss):F4}");
        // Why the floor exists: with ε = 1e-7 the inaudible hiss costs more than the audible error.
        Assert.True(Score(absolute, hiss) > Score(absolute, quieter),
            $"absolute: level error {Score(absolute, quieter):F4}, hiss {Score(absolute, hiss):F4}");
    }

    [Fact]
    public void The_floor_is_the_same_level_at_every_size()
    {
        // A full-scale sine's peak bin is n/4 with a Hann window, so ε scales with n.
        Assert.Equal(1e-5 * 2048 / 4, SpectralLoss.FloorEpsilon(2048, -100), 12);
        Assert.Equal(2 * SpectralLoss.FloorEpsilon(64, -80), SpectralLoss.FloorEpsilon(128, -80), 12);
    }
}
