using Oneshot.Data;
using Oneshot.Generation;
using Oneshot.Model;
using Oneshot.Storage;
using Oneshot.Training;

namespace Oneshot.Tests.Training;

[Trait("Category", "Numerics")] // rerun under every ISA cap (scripts/run-tests.sh)
[Collection(ExactRunsCollection.Name)]
public class TrainerTests
{
    static TrainRequest Request(string data, string model, int steps, bool resume = false, long? sessionSteps = null,
        params string[] settings) => new()
    {
        DataDirectory = data,
        ModelDirectory = model,
        Config =
            TinyData.Config([$"train.steps={steps}", "train.validate_every=10", "train.checkpoint_every=10",
            "train.batch_size=2", "train.examples=1", .. settings]),
        Resume = resume,
        MaxSessionSteps = sessionSteps,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]   // AdamW and a weight average, both held in the checkpoint
    public void A_resumed_run_equals_an_uninterrupted_one(bool averaged)
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir);
        string[] settings = averaged ? ["train.ema_decay=0.9", "train.weight_decay=0.01"] : [];
        var straight = new VaeTrainer().Run(Request(data, dir.File("straight"), 30, settings: settings));
        Assert.Equal(TrainOutcome.Finished, straight.Outcome);

        var first = new VaeTrainer().Run(Request(data, dir.File("resumed"), 30, sessionSteps: 17, settings: settings));
        Assert.Equal(TrainOutcome.StepLimit, first.Outcome);
        Assert.Equal(17, first.Step);
        var second = new VaeTrainer().Run(Request(data, dir.File("resumed"), 30, resume: true));
        Assert.Equal(30, second.Step);
        if (averaged)
        {
            // The saved model is the average, not the last step's weights.
            using var saved = Safetensors.Load(Path.Combine(dir.File("resumed"), ModelDirectory.WeightsFile));
            using var checkpoint =
                Safetensors.Load(Path.Combine(dir.File("resumed"), "train", "checkpoint-00000030.safetensors"));
            Assert.All(saved.Tensors,
                p => Assert.True(p.Value.equal(checkpoint.Tensors["ema." + p.Key]).all().item<bool>(), p.Key));
            Assert.Contains(saved.Tensors, p => !p.Value.equal(checkpoint.Tensors["model." + p.Key]).all()
                .item<bool>());
        }

        using var a = Safetensors.Load(Path.Combine(dir.File("straight"), ModelDirectory.WeightsFile));
        using var b = Safetensors.Load(Path.Combine(dir.File("resumed"), ModelDirectory.WeightsFile));
        Assert.Equal(a.Tensors.Keys.Order(), b.Tensors.Keys.Order());
        foreach (var (name, tensor) in a.Tensors)
            Assert.True(tensor.equal(b.Tensors[name]).all().item<bool>(), $"'{name}' differs after resuming");

        // The model directory is complete and the logs read as one run.
        foreach (string file in new[] { "config.json", "model.safetensors", "latent.json", "train/metrics.csv",
            "train/best.safetensors" })
            Assert.True(File.Exists(Path.Combine(dir.File("resumed"), file)), file);
        var rows = File.ReadLines(Path.Combine(dir.File("resumed"), "train/metrics.csv")).Select(l => l.Split(','))
            .ToList();
        var steps = rows.Skip(1).Select(r => r[0] + r[1]).ToList();
        Assert.Equal(steps.Distinct().Count(), steps.Count);
        Assert.Contains("30valid", steps);
        // best.safetensors holds the validation with the lowest log-mel L1, across the resume too.
        int logMel = Array.IndexOf(rows[0], "log_mel_l1");
        string bestStep = rows.Skip(1).Where(r => r[1] == "valid")
            .MinBy(r => double.Parse(r[logMel], System.Globalization.CultureInfo.InvariantCulture))![0];
        using (var best = Safetensors.Load(Path.Combine(dir.File("resumed"), "train/best.safetensors")))
            Assert.Equal(bestStep, best.Metadata["step"]);
        var latent = ModelDirectory.LoadLatent(dir.File("resumed"))!;
        Assert.Equal(8, latent.Components.Length);
        Assert.True(latent.ExplainedVarianceRatio.Zip(latent.ExplainedVarianceRatio.Skip(1))
            .All(p => p.First >= p.Second));
        Assert.Equal(1.0, latent.ExplainedVarianceRatio.Sum(), 6);
        // Named controls fitted on the same latents, each a unit direction with a measured fit.
        Assert.Contains(latent.Controls, c => c.Name == "brightness");
        Assert.All(latent.Controls, c => Assert.True(Math.Abs(c.Direction.Sum(v => v * v) - 1) < 1e-6
            && double.IsFinite(c.RSquaredTrain) && c.Std > 0));
        Assert.True(File.Exists(Path.Combine(dir.File("resumed"), "train/examples/step-00000030/example-0.wav")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Stage_two_trains_against_discriminators_freezes_the_encoder_unless_asked_and_resumes_exactly(
        bool freezeEncoder)
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir, count: 12);
        // judged on 4096 of 8192 samples
        string[] stage2 = ["stage2.start_step=10", "stage2.discriminator_every=1", "stage2.discriminator_crop=4096",
                           $"stage2.freeze_encoder={(freezeEncoder ? "true" : "false")}",
                               $"stage2.grid_ripple_weight={(freezeEncoder ? 1 : 0)}"];
        new VaeTrainer().Run(Request(data, dir.File("stage1"), 10, settings: stage2));
        var straight = new VaeTrainer().Run(Request(data, dir.File("straight"), 20, settings: stage2));
        Assert.Equal(TrainOutcome.Finished, straight.Outcome);
        new VaeTrainer().Run(Request(data, dir.File("resumed"), 20, sessionSteps: 15, settings: stage2));
        new VaeTrainer().Run(Request(data, dir.File("resumed"), 20, resume: true, settings: stage2));

        using var before = Safetensors.Load(Path.Combine(dir.File("stage1"), ModelDirectory.WeightsFile));
        using var after = Safetensors.Load(Path.Combine(dir.File("straight"), ModelDirectory.WeightsFile));
        using var resumed = Safetensors.Load(Path.Combine(dir.File("resumed"), ModelDirectory.WeightsFile));
        foreach (var (name, tensor) in after.Tensors)
        {
            bool same = tensor.equal(before.Tensors[name]).all().item<bool>();
            if (freezeEncoder && (name.StartsWith("encoder.") || name.StartsWith("flow.")))
                Assert.True(same, $"stage 2 changed the frozen '{name}'");
            Assert.True(tensor.equal(resumed.Tensors[name]).all().item<bool>(),
                $"'{name}' differs after resuming in stage 2");
        }
        Assert.Contains(after.Tensors, p => p.Key.StartsWith("decoder.")
            && !p.Value.equal(before.Tensors[p.Key]).all().item<bool>());
        Assert.Equal(!freezeEncoder, after.Tensors.Any(p => p.Key.StartsWith("encoder.")
            && !p.Value.equal(before.Tensors[p.Key]).all().item<bool>()));

        var rows = File.ReadLines(Path.Combine(dir.File("straight"), "train/metrics.csv")).ToList();
        int adversarial = Array.IndexOf(rows[0].Split(','), "adversarial");
        Assert.Contains(rows.Skip(1), row => row.Split(',')[1] == "train" && row.Split(',')[adversarial].Length > 0);
        // The buzz penalty is logged when it is on, and only then.
        int ripple = Array.IndexOf(rows[0].Split(','), "grid_ripple");
        Assert.Equal(freezeEncoder,
            rows.Skip(1).Any(row => row.Split(',')[1] == "train" && row.Split(',')[ripple].Length > 0));
    }

    [Fact]
    public void Existing_runs_are_not_overwritten_and_resume_needs_a_run()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir, count: 12);
        new VaeTrainer().Run(Request(data, dir.File("m"), 5));
        Assert.Contains("--resume",
            Assert.Throws<OneshotException>(() => new VaeTrainer().Run(Request(data, dir.File("m"), 5))).Message);
        Assert.Contains("no training run to resume", Assert.Throws<OneshotException>(() =>
            new VaeTrainer().Run(Request(data, dir.File("other"), 5, resume: true))).Message);
        var forced = new VaeTrainer().Run(Request(data, dir.File("m"), 5) with { Force = true });
        Assert.Equal(5, forced.Step);
    }

    [Fact]
    public void Other_datasets_can_join_the_training_clips_but_must_match_and_not_be_the_data()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir, count: 12);
        string extra = TinyData.Build(dir, count: 8, name: "extra");
        var messages = new List<string>();
        var result = new VaeTrainer { OnMessage = messages.Add }.Run(
            Request(data, dir.File("m"), 3, settings: $"train.extra_data=[\"{extra}\"]"));
        Assert.Equal(3, result.Step);
        int trainClips = Oneshot.Data.DatasetSummary.ReadMeta(data).Count(m => m.Split == "train");
        Assert.Contains(messages, m => m.StartsWith($"Training on {trainClips + 8} clips: {trainClips} from"));

        Assert.Contains("is the --data dataset itself",
            Assert.Throws<OneshotException>(() => new VaeTrainer()
                .Run(Request(data, dir.File("same"), 3, settings: $"train.extra_data=[\"{data}\"]"))).Message);
        var other = new Oneshot.Data.PrepareOptions { SampleRate = 16000, ClipLength = 16384 };
        using (var recipe = Oneshot.Data.Recipes.Recipes.Open(new Oneshot.Data.Recipes.RecipeRequest("synthetic",
            Count: 8), other))
            Oneshot.Data.DatasetBuilder.Build(recipe.Sources, dir.File("other"), other, recipe.Description);
        Assert.Contains("--sample-rate 8000 --length 8192",
            Assert.Throws<OneshotException>(() => new VaeTrainer()
                .Run(
                Request(data, dir.File("other-m"), 3, settings: $"train.extra_data=[\"" +
                $"{dir.File("other")}\"]"))).Message);
    }

    [Fact]
    public void A_trained_model_encodes_decodes_and_samples()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir, count: 12);
        new VaeTrainer().Run(Request(data, dir.File("m"), 5));
        using var runner = new ModelRunner(dir.File("m"));
        using var store = new ClipStore(data);
        var latents = runner.Encode([store.Read(0), store.Read(1)]);
        Assert.Equal(2, latents.Length);
        Assert.Equal(8, latents[0].Length);
        var audio = runner.Decode(latents);
        Assert.Equal(8192, audio[0].Length);
        var samples = runner.SampleLatents(3, 0.5, seed: 4);
        Assert.Equal(samples, runner.SampleLatents(3, 0.5, seed: 4));
        Assert.NotEqual(samples[0], runner.SampleLatents(3, 0.5, seed: 5)[0]);
        Assert.All(runner.SampleLatents(2, 0, seed: 4), z => Assert.All(z, v => Assert.Equal(0f, v)));
        Assert.Contains("have 8", Assert.Throws<OneshotException>(() => runner.Decode([new float[3]])).Message);
        // Batch size is throughput only: three at a time decode what eight at a time do.
        using (var small = new ModelRunner(dir.File("m")) { BatchSize = 3 })
        {
            var five = runner.SampleLatents(5, 1, seed: 9);
            var byEight = runner.Decode(five);
            var byThree = small.Decode(five);
            for (int i = 0; i < 5; i++) Assert.Equal(byEight[i], byThree[i], (a, b) => Math.Abs(a - b) < 1e-5f);
        }
        Assert.Contains("--batch-size",
            Assert.Throws<OneshotException>(() => new ModelRunner(dir.File("m")) { BatchSize = 0 }).Message);
    }

    [Fact]
    public void Attribute_training_logs_its_loss_and_makes_its_dimensions_the_named_controls()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir, count: 24);
        new VaeTrainer()
            .Run(
            Request(data, dir.File("m"), 6,
            settings: ["train.attributes=[\"level\", \"brightness\"]", "train.attribute_weight=2"]));
        var rows = File.ReadLines(Path.Combine(dir.File("m"), "train/metrics.csv")).Select(l => l.Split(',')).ToList();
        int column = Array.IndexOf(rows[0], "attribute");
        Assert.True(column > 0);
        Assert.Contains(rows.Skip(1), r => r.Length > column
            && double.TryParse(r[column], System.Globalization.CultureInfo.InvariantCulture, out double v) && v > 0);

        var controls = ModelDirectory.LoadLatent(dir.File("m"))!.Controls.ToDictionary(c => c.Name);
        Assert.Equal("trained", controls["level"].Source);
        Assert.Equal(1.0, Math.Abs(controls["level"].Direction[0]));          // level owns dimension 0,
        Assert.Equal(1.0, Math.Abs(controls["brightness"].Direction[1]));     // brightness dimension 1
        Assert.Equal("fitted", controls["decay"].Source);

        Assert.Contains("must name", Assert.Throws<OneshotException>(() =>
            TinyData.Config("train.attributes=[\"sparkle\"]").Validate()).Message);
    }
}
