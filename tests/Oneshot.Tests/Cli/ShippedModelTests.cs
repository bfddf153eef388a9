using Oneshot.Tests.Training;

namespace Oneshot.Tests.Cli;

/// <summary>
/// Commands a producer runs first work with no model named: they take the shipped model (here a
/// tiny one the test trains, named by ONESHOT_SHIPPED_MODEL as the build's models/drums would be).
/// </summary>
public class ShippedModelTests
{
    [Fact]
    public void Quickstart_writes_samples_reconstructions_and_a_kit_from_the_shipped_model_without_training()
    {
        using var dir = new TempDir();
        string shipped = TinyData.TrainModel(dir, TinyData.Build(dir, count: 12), steps: 3);
        var environment = new Dictionary<string,
            string> { [Oneshot.Cli.Commands.ShippedModel.EnvironmentVariable] = shipped };
        string folder = dir.File("qs");

        var (code, output, error) = CliTests.OneshotWith(environment, "quickstart", "--out", folder, "--recipe",
            "synthetic", "--no-play");
        Assert.True(code == 0, error);
        CliTests.AssertNoLibraryWarnings(output + error);
        Assert.Contains("The shipped model", output);
        Assert.False(Directory.Exists(Path.Combine(folder, "model")),
            "quickstart trained a model although one was shipped");
        for (int i = 0; i < 4; i++)
        {
            Assert.True(File.Exists(Path.Combine(folder, "listen", $"sample-{i}.wav")));
            Assert.True(File.Exists(Path.Combine(folder, "listen", $"test-{i}.original.wav")));
            Assert.True(File.Exists(Path.Combine(folder, "listen", $"test-{i}.reconstructed.wav")));
        }
        // The clips shown are of different kinds where the labels allow: "held-out test clips (bell, kick, …)".
        var shown = System.Text.RegularExpressions.Regex.Match(output, @"held-out test clips \(([^)]*)\)");
        Assert.True(shown.Success, output);
        var kinds = shown.Groups[1].Value.Split(", ");
        Assert.Equal(4, kinds.Length);
        Assert.Equal(4, kinds.Distinct().Count());
        Assert.True(File.Exists(Path.Combine(folder, "kit", "kit.sfz")));
        Assert.Equal(16, Directory.GetFiles(Path.Combine(folder, "kit", "samples"), "*.wav").Length);

        // sample, reconstruct and kit with no model named.
        (code, _, error) = CliTests.OneshotWith(environment, "sample", "--count", "2", "--out", dir.File("samples"));
        Assert.True(code == 0, error);
        Assert.Equal(2, Directory.GetFiles(dir.File("samples"), "*.wav").Length);
        string clip = Path.Combine(folder, "listen", "test-0.original.wav");
        (code, _, error) = CliTests.OneshotWith(environment, "reconstruct", clip, "--out", dir.File("rec"), "--refine",
            "0");
        Assert.True(code == 0, error);
        Assert.True(File.Exists(dir.File("rec/test-0.original.wav")));
        File.WriteAllText(dir.File("kit.json"), """{ "pads": [ { "prior": true, "seed": 2 } ] }""");
        (code, _, error) = CliTests.OneshotWith(environment, "kit", dir.File("kit.json"), "--out", dir.File("kit"));
        Assert.True(code == 0, error);
        Assert.True(File.Exists(dir.File("kit/kit.sfz")));
        // A model named first still wins over the shipped one, and a model named alone is a clear mistake.
        (code, _, error) = CliTests.OneshotWith(environment, "reconstruct", shipped, clip, "--out", dir.File("rec2"),
            "--refine", "0");
        Assert.True(code == 0, error);
        (code, _, error) = CliTests.OneshotWith(environment, "reconstruct", shipped);
        Assert.Equal(1, code);
        Assert.Contains("name the audio files", error);
    }

    [Fact]
    public void Without_a_shipped_model_a_command_with_no_model_says_what_to_do()
    {
        using var dir = new TempDir();
        var environment = new Dictionary<string,
            string> { [Oneshot.Cli.Commands.ShippedModel.EnvironmentVariable] = dir.File("nothing-here") };
        var (code, _, error) = CliTests.OneshotWith(environment, "sample", "--count", "1", "--out", dir.File("s"));
        Assert.Equal(1, code);
        Assert.Contains("No model was named", error);
        Assert.Contains("nothing-here", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void A_model_packed_with_float16_weights_is_half_the_size_and_decodes_as_the_float32_one_does()
    {
        using var dir = new TempDir();
        string model = TinyData.TrainModel(dir, TinyData.Build(dir, count: 12), steps: 3);
        var (code, output, error) = CliTests.Oneshot("pack", model, "--out", dir.File("packed"), "--float16");
        Assert.True(code == 0, error);
        string packedWeights = dir.File("packed/" + Oneshot.Model.ModelDirectory.WeightsFile);
        Assert.Contains(Oneshot.Generation.ModelPackage.Sha256(packedWeights), output);
        Assert.False(Directory.Exists(dir.File("packed/train")));
        Assert.True(File.Exists(dir.File("packed/latent.json")));
        long full = new FileInfo(Path.Combine(model, Oneshot.Model.ModelDirectory.WeightsFile)).Length;
        Assert.InRange(new FileInfo(packedWeights).Length, full * 0.45, full * 0.55);

        using var original = new Oneshot.Generation.ModelRunner(model);
        using var packed = new Oneshot.Generation.ModelRunner(dir.File("packed"));
        var latent = new[] { Enumerable.Range(0, original.LatentSize).Select(i => (float)Math.Sin(i)).ToArray() };
        var a = original.Decode(latent)[0];
        var b = packed.Decode(latent)[0];
        double difference = Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum() / a.Length);
        double level = Signals.Rms(a);
        Assert.True(level > 0 && difference < 0.01 * level,
            $"float16 weights changed the sound by {difference / level:P2} of its RMS");

        (code, _, error) = CliTests.Oneshot("pack", model, "--out", model);
        Assert.Equal(1, code);
        Assert.Contains("--out", error);
    }

    [Fact]
    public void A_packed_models_card_names_held_out_files_whose_reconstruction_measures_again_as_written()
    {
        using var dir = new TempDir();
        // Files, not generated clips: a card names sources a test can read again. Ten "kits" of three.
        for (int kit = 0; kit < 10; kit++)
            for (int n = 0; n < 3; n++)
            {
                var tone = Signals.Sine(110 * (1 + kit + n * 0.5), 8000, 6000, amplitude: 0.6);
                for (int i = 0; i < tone.Length; i++) tone[i] *= (float)Math.Exp(-i / 1500.0);
                Directory.CreateDirectory(dir.File($"kits/kit{kit}"));
                Oneshot.Audio.WavWriter.Write(dir.File($"kits/kit{kit}/hit{n}.wav"), tone, 8000);
            }
        var (code, _, error) = CliTests.Oneshot("data", "prepare", dir.File("kits"), "--out", dir.File("data"),
            "--sample-rate", "8000", "--length", "8192");
        Assert.True(code == 0, error);
        string model = TinyData.TrainModel(dir, dir.File("data"), steps: 3);

        string output;
        (code, output, error) = CliTests.Oneshot("pack", model, "--out", dir.File("packed"), "--float16",
            "--check-data", dir.File("data"), "--check-clips", "3");
        Assert.True(code == 0, error);
        Assert.Contains(Oneshot.Generation.ModelCard.FileName, output);
        var card = Oneshot.Generation.ModelCard.Read(dir.File("packed"));
        Assert.Equal(Oneshot.Generation.ModelPackage.Sha256(
            dir.File("packed/" + Oneshot.Model.ModelDirectory.WeightsFile)), card.WeightsSha256);
        using (var store = new Oneshot.Data.ClipStore(dir.File("data")))
            Assert.Equal(Math.Min(3, store.IndicesOf("test").Length), card.Clips.Count);
        Assert.All(card.Clips, c => Assert.True(File.Exists(c.Source) && c.LogMelL1 > 0, c.Source));

        using var packed = new Oneshot.Generation.ModelRunner(dir.File("packed"));
        var again = Oneshot.Generation.ModelCard.Measure(packed, [.. card.Clips.Select(c => c.Source)]);
        for (int i = 0; i < again.Length; i++) Assert.Equal(card.Clips[i].LogMelL1, again[i], 3);

        // A dataset of generated clips has no files to name.
        (code, _, error) = CliTests.Oneshot("pack", model, "--out", dir.File("packed2"), "--check-data",
            TinyData.Build(dir, count: 60, name: "generated"));
        Assert.True(code == 1 && error.Contains("not there"), error);
    }
}
