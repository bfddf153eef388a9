using Oneshot.Model;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Tests.Model;

public class SnakeTests
{
    [Fact]
    public void Snake_and_its_gradients_follow_the_formula()
    {
        using var scope = NewDisposeScope();
        using var snake = new Snake(3);
        var alpha = snake.parameters().Single();
        using (no_grad()) alpha.copy_(tensor(new float[] { 0.5f, 1f, 3f }).reshape(1, 3, 1));
        var x = linspace(-4, 4, 3 * 50).reshape(1, 3, 50).requires_grad_(true);
        var y = snake.forward(x);
        y.sum().backward();

        var xs = x.detach().data<float>().ToArray();
        var ys = y.detach().data<float>().ToArray();
        var dx = x.grad!.data<float>().ToArray();
        var dAlpha = alpha.grad!.data<float>().ToArray();
        double[] a = [0.5, 1, 3];
        var expectedDAlpha = new double[3];
        for (int i = 0; i < xs.Length; i++)
        {
            double v = xs[i], al = a[i / 50], s = Math.Sin(al * v);
            Assert.Equal(v + s * s / al, ys[i], 1e-5);
            Assert.Equal(1 + Math.Sin(2 * al * v), dx[i], 1e-4);                          // d/dx = 1 + sin(2αx)
            // d/dα = (αx·sin 2αx − sin²αx)/α²
            expectedDAlpha[i / 50] += (al * v * Math.Sin(2 * al * v) - s * s) / (al * al);
        }
        for (int c = 0; c < 3; c++) Assert.Equal(expectedDAlpha[c], dAlpha[c], 1e-3);
    }

    [Fact]
    public void Snake_goes_into_the_decoder_only_and_adds_one_alpha_per_activation()
    {
        var config = Presets.Get("tiny").Model;
        using var plain = new WaveformVae(config);
        using var snake = new WaveformVae(config with { DecoderActivation = Activation.Snake });
        var plainNames = ModelDirectory.Weights(plain).Keys.ToHashSet();
        var added = ModelDirectory.Weights(snake).Keys.Where(k => !plainNames.Contains(k)).ToList();
        Assert.NotEmpty(added);
        Assert.All(added, name => Assert.True(name.StartsWith("decoder.", StringComparison.Ordinal)
            && name.EndsWith(".alpha", StringComparison.Ordinal), name));
        Assert.Equal(config.Ratios.Length * config.Dilations.Length * 2, added.Count);
        Assert.Empty(plainNames.Except(ModelDirectory.Weights(snake).Keys));

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var z = randn(2, config.LatentSize).Times(10);
        var audio = snake.Decode(z);
        Assert.Equal(new long[] { 2, config.ClipLength }, audio.shape);
        Assert.True(audio.isfinite().all().item<bool>());
    }
}
