using Oneshot.Generation;
using Oneshot.Model;
using Oneshot.Tests.Training;
using static TorchSharp.torch;

namespace Oneshot.Tests.Generation;

/// <summary>The decoder's ONNX graph against libtorch's decoder: the same clips from the same latents.</summary>
[Trait("Category", "Numerics")] // rerun under every ISA cap (scripts/run-tests.sh)
public class OnnxDecoderTests
{
    static void AssertSameClips(WaveformVae model, OnnxDecoder onnx, Tensor z)
    {
        Tensor reference;
        using (inference_mode()) reference = model.Decode(z);
        var clips = onnx.Decode([.. Enumerable.Range(0, (int)z.shape[0]).Select(i => z[i].data<float>().ToArray())]);
        Assert.Equal(z.shape[0], clips.Length);
        double peak = reference.abs().max().item<float>();
        for (int i = 0; i < clips.Length; i++)
        {
            var expected = reference[i].data<float>().ToArray();
            Assert.Equal(expected.Length, clips[i].Length);
            double error = expected.Zip(clips[i], (e, c) => Math.Abs((double)e - c)).Max();
            Assert.True(error < 1e-5 * peak, $"clip {i} off by {error:g3} (peak {peak:g3})");
        }
    }

    [Theory]
    [InlineData(Activation.LeakyRelu, 4)]
    [InlineData(Activation.Snake, 4)]
    [InlineData(Activation.LeakyRelu, 1)]
    public void The_graph_decodes_as_libtorch_does(Activation activation, int bands)
    {
        using var scope = NewDisposeScope();
        var config = TinyData.Config().Model with { DecoderActivation = activation, Bands = bands };
        manual_seed(5);
        using var model = new WaveformVae(config);
        model.Freeze();
        using var onnx = OnnxDecoder.TryCreate(model, threads: 1);
        Assert.NotNull(onnx);
        AssertSameClips(model, onnx, randn(3, config.LatentSize));
    }

    [Fact]
    public void What_the_graph_does_not_mirror_decodes_with_libtorch()
    {
        var config = TinyData.Config().Model;
        Assert.True(OnnxDecoder.Supports(config));
        Assert.False(OnnxDecoder.Supports(config with { NoiseBranch = true }));
        Assert.False(OnnxDecoder.Supports(config with { DecoderFilm = true }));
        Assert.False(OnnxDecoder.Supports(config with { DecoderPositions = 4 }));
        Assert.False(OnnxDecoder.Supports(config with { Modes = 8 }));
    }

    [Fact]
    public void A_trained_models_runner_decodes_through_the_graph_as_its_libtorch_decoder_does()
    {
        using var dir = new TempDir();
        string model = TinyData.TrainModel(dir, TinyData.Build(dir, count: 12), steps: 3);
        using var runner = new ModelRunner(model);
        var latents = runner.SampleLatents(5, 1.0, seed: 2);
        var clips = runner.Decode(latents, batchSize: 2);
        Assert.True(runner.DecodesWithOnnx);
        Assert.Equal(5, clips.Length);
        using var scope = NewDisposeScope();
        Tensor reference;
        using (inference_mode()) reference = runner.Model.Decode(stack(latents.Select(l => tensor(l)).ToArray()));
        double peak = reference.abs().max().item<float>();
        for (int i = 0; i < 5; i++)
            Assert.True(reference[i].data<float>().ToArray().Zip(clips[i], (e, c) => Math.Abs((double)e - c))
                .Max() < 1e-5 * peak);
    }
}
