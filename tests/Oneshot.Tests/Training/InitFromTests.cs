using Oneshot.Model;
using Oneshot.Storage;
using Oneshot.Tests.Cli;

namespace Oneshot.Tests.Training;

public class InitFromTests
{
    // One step at a learning rate too small to move anything: after it the weights are still the source's.
    static readonly string[] OneStill = ["--preset", "tiny", "--set", "train.steps=1", "--set",
        "train.validate_every=1", "--set", "train.batch_size=2",
                                         "--set", "train.learning_rate=1e-30", "--set", "train.learning_rate_min=0",
                                             "--set", "train.warmup_steps=0", "--threads", "1"];

    static float[] AllWeights(string model)
    {
        using var contents = Safetensors.Load(Path.Combine(model, ModelDirectory.WeightsFile));
        return [.. contents.Tensors.OrderBy(p => p.Key, StringComparer.Ordinal)
            .SelectMany(p => p.Value.to_type(TorchSharp.torch.ScalarType.Float32).data<float>().ToArray())];
    }

    [Fact]
    public void A_run_started_from_another_model_begins_at_its_weights_and_says_so_in_its_config()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir, count: 12);
        string source = TinyData.TrainModel(dir, data, steps: 3);
        var (code, output, error) =
            CliTests.Oneshot(["train", "--data", data, "--out", dir.File("tuned"), "--init-from", source, .. OneStill]);
        Assert.True(code == 0, error);
        Assert.Contains("Starting from the weights of", output);
        var start = AllWeights(source);
        var tuned = AllWeights(dir.File("tuned"));
        Assert.Equal(start.Length, tuned.Length);
        for (int i = 0; i < start.Length; i++) Assert.Equal(start[i], tuned[i], 5);
        Assert.Equal(Path.GetFullPath(source), RunConfig.Load(dir.File("tuned/config.json")).Train.InitFrom);

        // Without it the same run starts from random weights.
        (code, _, error) = CliTests.Oneshot(["train", "--data", data, "--out", dir.File("fresh"), .. OneStill]);
        Assert.True(code == 0, error);
        Assert.Contains(AllWeights(dir.File("fresh")).Zip(start), p => Math.Abs(p.First - p.Second) > 1e-3);

        // The architecture is the source's: a model setting beside --init-from is a clear mistake, as is a source that
        // is not a model.
        (code, _, error) =
            CliTests.Oneshot(["train", "--data", data, "--out", dir.File("x"), "--init-from", source, .. OneStill,
            "--set", "model.latent_size=4"]);
        Assert.Equal(1, code);
        Assert.Contains("--init-from", error);
        Assert.Contains("model.modes", error);   // names what may be set
        (code, _, error) =
            CliTests.Oneshot(["train", "--data", data, "--out", dir.File("y"), "--init-from", data, .. OneStill]);
        Assert.Equal(1, code);
        Assert.Contains("not a model directory", error);
    }

    [Fact]
    public void A_model_grows_decoder_parts_that_start_silent_and_keeps_everything_else()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir, count: 12);
        string source = TinyData.TrainModel(dir, data, steps: 3);
        var (code, output, error) =
            CliTests.Oneshot(["train", "--data", data, "--out", dir.File("grown"), "--init-from", source, .. OneStill,
                // the tiny clips are at 8 kHz
                "--set", "model.modes=24", "--set", "model.mode_max_hz=3000", "--set", "model.decoder_film=true"]);
        Assert.True(code == 0, error);
        Assert.Contains("start silent", output);
        var grownConfig = RunConfig.Load(dir.File("grown/config.json")).Model;
        var sourceConfig = RunConfig.Load(Path.Combine(source, ModelDirectory.ConfigFile)).Model;
        Assert.Equal(24, grownConfig.Modes);
        Assert.True(grownConfig.DecoderFilm);
        Assert.Equal(sourceConfig with { Modes = 24, ModeMaxHz = 3000, DecoderFilm = true },
            grownConfig with { StftSizes = sourceConfig.StftSizes, BandStftSizes = sourceConfig.BandStftSizes,
            Dilations = sourceConfig.Dilations, Ratios = sourceConfig.Ratios });

        // Every tensor the source had is carried over unchanged, and the grown model sounds as the source did.
        using var sourceWeights = Safetensors.Load(Path.Combine(source, ModelDirectory.WeightsFile));
        using var grownWeights = Safetensors.Load(dir.File("grown/model.safetensors"));
        foreach (var (name, tensor) in sourceWeights.Tensors)
            Assert.True(tensor.to_type(TorchSharp.torch.ScalarType.Float32)
                .allclose(grownWeights.Tensors[name].to_type(TorchSharp.torch.ScalarType.Float32), rtol: 0, atol: 1e-5),
                name);
        Assert.Contains(grownWeights.Tensors.Keys, k => k.StartsWith("modes.", StringComparison.Ordinal));
        var (_, before) = ModelDirectory.Load(source);
        var (_, after) = ModelDirectory.Load(dir.File("grown"));
        using (before)
        using (after)
        using (TorchSharp.torch.no_grad())
        {
            var z = TorchSharp.torch.randn(2, sourceConfig.LatentSize);
            var gap = after.Decode(z).sub(before.Decode(z)).abs().max().item<float>();
            Assert.True(gap < 0.05, $"the grown model decodes {gap} away from its source");
        }

        // A part the source already has, trained, is not grown again: its setting would retune it unseen.
        (code, _, error) =
            CliTests.Oneshot(["train", "--data", data, "--out", dir.File("regrown"), "--init-from", dir.File("grown"),
            .. OneStill, "--set", "model.mode_max_hz=2000"]);
        Assert.Equal(1, code);
        Assert.Contains("already has that part", error);
    }
}
