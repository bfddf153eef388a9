using Oneshot.Model;
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
    public void Identical_signals_score_zero_and_different_ones_do_not()
    {
        using var scope = NewDisposeScope();
        using var loss = new SpectralLoss([512, 128]);
        var x = randn(2, 4096);
        Assert.True(loss.PerItem(x, x).max().item<float>() < 1e-4);
        Assert.True(loss.PerItem(x, randn(2, 4096)).min().item<float>() > 0.1);
    }
}
