using Oneshot.TorchInterop;
using Oneshot.Training;
using static TorchSharp.torch;

namespace Oneshot.Tests.TorchInterop;

/// <summary>
/// The convolutions every model is built from, checked against float64 (which libtorch computes with
/// other kernels) on the shapes that broke oneDNN's blocked kernels on AVX2 and AVX-512: channel
/// counts that do not fill a vector block. scripts/run-tests.sh runs these under every ISA cap the
/// machine allows (the Numerics category).
/// </summary>
[Trait("Category", "Numerics")]
public class ConvolutionKernelTests
{
    [Fact]
    public void Onednn_and_nnpack_are_off_once_the_library_is_loaded()
    {
        Assert.Null(NativeKernels.Problem);
        Assert.False(NativeKernels.OneDnnEnabled);
        Assert.Contains(NativeKernels.CpuCapability, new[] { "DEFAULT", "AVX2", "AVX512" });
        // The capped reruns of scripts/run-tests.sh really run the capped kernels.
        if (Environment.GetEnvironmentVariable("ATEN_CPU_CAPABILITY") is { Length: > 0 } cap)
            Assert.Equal(cap.ToUpperInvariant(), NativeKernels.CpuCapability);
    }

    [Theory]
    // in, out, kernel, stride, transposed: the tiny preset's bottleneck (32 → 4) and band input (4 → 8),
    // a discriminator's one-channel output, odd counts either side, and the cpu preset's full blocks.
    [InlineData(32, 4, 3, 1, false)]
    [InlineData(4, 8, 7, 1, false)]
    [InlineData(16, 1, 7, 1, false)]
    [InlineData(16, 3, 5, 1, false)]
    [InlineData(32, 17, 3, 1, false)]
    [InlineData(17, 32, 3, 1, false)]
    [InlineData(32, 17, 4, 2, true)]
    [InlineData(64, 64, 3, 1, false)]
    public void A_convolution_and_both_its_gradients_match_float64(int inChannels, int outChannels, int kernel,
        int stride, bool transposed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        Tensor Apply(Tensor x, Tensor w) => transposed
            ? nn.functional.conv_transpose1d(x, w, null, stride: stride, padding: kernel / 2 - stride / 2)
            : nn.functional.conv1d(x, w, null, stride: stride, padding: kernel / 2);
        // Several draws: the broken kernels read memory they had not written, so a single call could pass by luck.
        for (int draw = 0; draw < 20; draw++)
        {
            var x = randn([4, inChannels, 256], generator: generator).requires_grad_(true);
            long[] weightShape = transposed ? [inChannels, outChannels, kernel] : [outChannels, inChannels, kernel];
            var w = randn(weightShape, generator: generator).requires_grad_(true);
            var y = Apply(x, w);
            var outputGradient = randn(y.shape, generator: generator);
            y.backward([outputGradient]);

            var x64 = x.detach().to(float64).requires_grad_(true);
            var w64 = w.detach().to(float64).requires_grad_(true);
            var y64 = Apply(x64, w64);
            y64.backward([outputGradient.to(float64)]);

            AssertClose(y64, y, "output", draw);
            AssertClose(x64.grad!, x.grad!, "input gradient", draw);
            AssertClose(w64.grad!, w.grad!, "weight gradient", draw);
        }
    }

    static void AssertClose(Tensor reference, Tensor actual, string what, int draw)
    {
        double error = (reference - actual.to(float64)).abs().max().item<double>() / reference.abs().max()
            .item<double>();
        Assert.True(error < 1e-5, $"{what} of draw {draw} off by {error:g3} of its largest value " +
            $"({NativeKernels.CpuCapability})");
    }

    [Fact]
    public void The_tiny_preset_trains_without_a_skipped_step()
    {
        // 4 bands, capacity 8 and a 4-channel bottleneck: on AVX-512 this skipped 10 of 40 steps with oneDNN.
        using var dir = new TempDir();
        string data = Oneshot.Tests.Training.TinyData.Build(dir);
        var result = new VaeTrainer().Run(new TrainRequest
        {
            DataDirectory = data,
            ModelDirectory = dir.File("m"),
            Config = Oneshot.Tests.Training.TinyData.Config("train.steps=40", "train.validate_every=40",
                "train.checkpoint_every=40", "train.examples=0"),
        });
        Assert.Equal(40, result.Step);
        Assert.Equal(0, result.SkippedSteps);
    }
}
