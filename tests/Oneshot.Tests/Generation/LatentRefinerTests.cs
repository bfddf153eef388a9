using Oneshot.Generation;
using Oneshot.Model;
using Oneshot.Tests.Training;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Tests.Generation;

// Alone: the tiny model it trains takes its initial weights from libtorch's process-wide generator,
// which other test classes reseed.
[Collection(ExactRunsCollection.Name)]
public class LatentRefinerTests
{
    static double[] LossPerClip(ModelRunner runner, float[][] clips, float[][] latents)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var loss = new ReconstructionLoss(runner.Model.Config);
        var audio = stack(clips.Select(c => tensor(c)).ToArray());
        var bands = runner.Model.DecodeBands(stack(latents.Select(z => tensor(z)).ToArray()));
        var reconstruction = runner.Model.Synthesise(bands);
        var (full, bandLoss) = loss.PerItem(audio, runner.Model.AnalysisBands(audio), reconstruction, bands);
        return full.Plus(bandLoss).data<float>().Select(v => (double)v).ToArray();
    }

    [Fact]
    public void Refining_moves_latents_towards_ones_that_make_the_sound()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir, count: 12);
        using var runner = new ModelRunner(TinyData.TrainModel(dir, data, steps: 5));
        // Sounds the decoder can make exactly, from known latents: the loss can fall to zero.
        var random = new Random(3);
        var truth = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, runner.LatentSize)
            .Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
        var clips = runner.Decode(truth);
        var start = truth.Select(z => z.Select(v => v + (float)(random.NextDouble() - 0.5)).ToArray()).ToArray();

        Assert.Equal(start, runner.Refine(clips, start, steps: 0));
        var refined = runner.Refine(clips, start, steps: 30);
        var before = LossPerClip(runner, clips, start);
        var after = LossPerClip(runner, clips, refined);
        // Every clip closer, and together at least halfway: how far one clip gets in 30 steps depends
        // on the floating-point order of the threads libtorch uses (one core: 2.51 → 1.79 for clip 2).
        string losses = string.Join(", ", before.Zip(after, (b, a) => $"{b:0.000} → {a:0.000}"));
        for (int i = 0; i < clips.Length; i++)
            Assert.True(after[i] < 0.8 * before[i], $"clip {i} did not get closer: {losses}");
        Assert.True(after.Sum() < 0.5 * before.Sum(), $"the clips did not get closer together: {losses}");
        // Only the latents move: no weight receives a gradient.
        Assert.All(runner.Model.parameters(),
            p => Assert.True(p.grad is null || p.grad.abs().sum().item<float>() == 0));
        Assert.Throws<OneshotException>(() => runner.Refine(clips, start, steps: -1));

        // As a user runs it.
        Oneshot.Audio.WavWriter.Write(dir.File("in.wav"), clips[0], runner.SampleRate);
        var (code, output, error) = Oneshot.Tests.Cli.CliTests.Oneshot("reconstruct", runner.Directory,
            dir.File("in.wav"), "--out", dir.File("out"), "--refine", "3");
        Assert.True(code == 0, error);
        Assert.Contains("Reconstructed 1 clips", output);
        Assert.True(File.Exists(dir.File("out/in.wav")));
    }
}
