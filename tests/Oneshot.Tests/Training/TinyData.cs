using Oneshot.Data;
using Oneshot.Data.Recipes;
using Oneshot.Model;

namespace Oneshot.Tests.Training;

/// <summary>A small synthetic dataset (8 kHz, 1.024 s clips) and the tiny preset sized for it.</summary>
public static class TinyData
{
    public static readonly PrepareOptions Options = new() { SampleRate = 8000, ClipLength = 8192 };

    public static string Build(TempDir dir, int count = 24, string name = "data")
    {
        using var recipe = Recipes.Open(new RecipeRequest("synthetic", Count: count), Options);
        DatasetBuilder.Build(recipe.Sources, dir.File(name), Options, recipe.Description);
        return dir.File(name);
    }

    /// <summary>A tiny model trained for a few steps on <paramref name="data"/>, in dir/name.</summary>
    public static string TrainModel(TempDir dir, string data, string name = "m", int steps = 5,
        params string[] settings)
    {
        new Oneshot.Training.VaeTrainer().Run(new Oneshot.Training.TrainRequest
        {
            DataDirectory = data,
            ModelDirectory = dir.File(name),
            Config =
                Config([$"train.steps={steps}", $"train.validate_every={steps}", $"train.checkpoint_every={steps}",
                "train.batch_size=2", "train.examples=1", .. settings]),
        });
        return dir.File(name);
    }

    /// <summary>A tiny model trained on dir/data (12 clips) and every clip of dir/extra (8) with
    /// --also-train-on.</summary>
    public static (string Model, string Extra, int TrainClips) TrainModelWithExtra(TempDir dir)
    {
        string data = Build(dir, count: 12);
        string extra = Build(dir, count: 8, name: "extra");
        string model = TrainModel(dir, data, steps: 2, settings: $"train.extra_data=[\"{extra}\"]");
        return (model, extra, DatasetSummary.ReadMeta(data).Count(m => m.Split == "train"));
    }

    public static RunConfig Config(params string[] overrides) =>
        Presets.Get("tiny").With(["model.sample_rate=8000", "model.clip_length=8192", .. overrides]);
}
