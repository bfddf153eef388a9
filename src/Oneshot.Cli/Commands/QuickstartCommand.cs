using System.CommandLine;
using Oneshot.Audio;
using Oneshot.Cli.Output;
using Oneshot.Data;
using Oneshot.Data.Recipes;
using Oneshot.Generation;
using Oneshot.Kits;
using Oneshot.Model;
using Oneshot.Prior;
using Oneshot.Training;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>
/// `oneshot quickstart`: the first thing a new user runs. It builds the default dataset, then — with
/// the shipped model, no training — writes new samples, reconstructions of held-out drums and a kit,
/// and opens the instrument; `--train-minutes` trains a first model of one's own instead.
/// </summary>
public static class QuickstartCommand
{
    /// <summary>Minutes a first model of one's own trains when there is no shipped model to play.</summary>
    const double FallbackTrainMinutes = 3;

    public static Command Build()
    {
        var command =
            new Command("quickstart", "Build the default dataset (the Hydrogen drum kits when installed, else " +
            "synthetic one-shots); write new samples, "
            + "reconstructions of held-out clips and a kit made with the shipped model; then open it as an " +
                "instrument. --train-minutes trains a first model of your own instead.");
        var output = new Option<string>("--out", "-o") { Description = "Folder for everything quickstart makes.",
            DefaultValueFactory = _ => DatasetReference.QuickstartFolder };
        var recipe = new Option<string>("--recipe")
            { Description = "drums, gm-drums, notes or synthetic (default: drums when installed, else synthetic).",
            DefaultValueFactory = _ => Recipes.Default };
        recipe.AcceptOnlyFromAmong(Recipes.Names);
        var minutes = new Option<double?>("--train-minutes")
            { Description = $"Train a first model of your own for this many minutes instead of using the shipped one " +
            $"(0: only build the dataset). Without a shipped model: {FallbackTrainMinutes} minutes." };
        var open = new Option<bool>("--open") { Description = "Open the instrument page in the default browser." };
        var port = new Option<int>("--port")
            { Description = "Port of the instrument page on 127.0.0.1 (0: any free one).",
            DefaultValueFactory = _ => 5170 };
        var noPlay = new Option<bool>("--no-play")
            { Description = "Write the files and stop, without starting the instrument." };
        foreach (Option option in new Option[] { output, recipe, minutes, open, port, noPlay })
            command.Options.Add(option);
        command.SetAction(async (parse, cancellation) =>
        {
            string folder = parse.GetValue(output)!;
            string name = parse.GetValue(recipe)!;
            double? trainMinutes = parse.GetValue(minutes);
            if (trainMinutes is null && !ShippedModel.Available)
            {
                AnsiConsole.MarkupLine($"[yellow]No shipped model at {Markup.Escape(ShippedModel.Directory)} " +
                    $"(./setup.sh build puts models/drums there): training a first model for {FallbackTrainMinutes} " +
                    $"minutes instead.[/]");
                trainMinutes = FallbackTrainMinutes;
            }
            string dataset = DatasetReference.QuickstartDataset(folder);
            AnsiConsole.MarkupLine($"[bold]Oneshot quickstart[/]: building the [bold]{name}[/] dataset in " +
                $"{Markup.Escape(dataset)}");
            if (name == "synthetic" && !DrumsRecipe.IsInstalled())
                AnsiConsole.MarkupLine($"[grey](install {DrumsRecipe.Package} for real drum one-shots instead)[/]");
            // Clips as the shipped model takes them (a model of one's own takes the defaults). The
            // drums recipe's split does not depend on them, so its test kits are the shipped model's held-out kits.
            var options = trainMinutes is null ? ClipsFor(ShippedModel.Directory) : new PrepareOptions();
            // Quickstart owns its folder: re-running it replaces the dataset it made before.
            var result = await DataCommand.RunRecipeAsync(new RecipeRequest(name), dataset, options, force: true,
                cancellation);
            DatasetReport.PrintPrepared(result);
            AnsiConsole.WriteLine();
            DatasetReport.PrintSummary(DatasetSummary.Load(dataset), listGroups: false);
            if (trainMinutes is <= 0)
            {
                AnsiConsole.MarkupLine($"\nNext: [bold]./oneshot train --data {Markup.Escape(dataset)} --out " +
                    $"{Markup.Escape(Path.Combine(folder, "model"))}[/]");
                return CliApp.Ok;
            }

            string model;
            if (trainMinutes is double own)
            {
                model = Path.Combine(folder, "model");
                if (!await TrainFirstModelAsync(dataset, model, own, cancellation)) return CliApp.Interrupted;
            }
            else
            {
                model = ShippedModel.Directory;
                AnsiConsole.MarkupLine($"\nThe shipped model: [bold]{Markup.Escape(model)}[/] (what it was trained " +
                    $"on and how well it does: MODEL_CARD.md there).");
            }

            await WriteListeningAsync(model, dataset, folder, shipped: trainMinutes is null);
            if (parse.GetValue(noPlay)) return CliApp.Ok;
            AnsiConsole.WriteLine();
            await PlayCommand.ServeAsync(model, parse.GetValue(port), LatentRefiner.DefaultSteps, device: null,
                map: null, data: dataset, parse.GetValue(open), cancellation);
            return CliApp.Ok;
        });
        return command;
    }

    static PrepareOptions ClipsFor(string model)
    {
        var config = RunConfig.Load(Path.Combine(model, ModelDirectory.ConfigFile)).Model;
        return new PrepareOptions { SampleRate = config.SampleRate, ClipLength = config.ClipLength };
    }

    /// <summary>The cpu preset for a few minutes — enough to hear what it is learning — and a Gaussian prior; false
    /// when interrupted.</summary>
    static async Task<bool> TrainFirstModelAsync(string dataset, string model, double minutes,
        CancellationToken cancellation)
    {
        AnsiConsole.WriteLine();
        var trained = await TrainCommand.RunAsync(new TrainRequest
        {
            DataDirectory = dataset,
            ModelDirectory = model,
            Config = Presets.Get("cpu").With(["train.validate_every=200", "train.checkpoint_every=200"]),
            Force = true,
            MaxMinutes = minutes,
        }, cancellation, adviseSchedule: false);
        if (trained.Outcome == TrainOutcome.Interrupted) return false;

        // A young model's latents sit far from N(0, I); a full-covariance Gaussian fitted to them
        // takes seconds and puts the samples where real sounds are.
        AnsiConsole.MarkupLine("Fitting a Gaussian prior to the training clips' latents…");
        new PriorTrainer()
            .Run(new PriorRequest { ModelDirectory = model, DataDirectory = dataset,
            Config = new PriorConfig { Kind = PriorKind.Gaussian }, Force = true }, cancellation);
        return true;
    }

    /// <summary>
    /// Held-out clips of different classes where the labels allow (kick, snare, hat, …), since in
    /// test order the first several are often takes of one kick; then the next ones in order.
    /// </summary>
    static int[] Showcase(ClipStore store, int count)
    {
        var held = store.IndicesOf("test");
        var classes = new HashSet<string>();
        var chosen = held.Where(i => store.Meta[i].TextLabel("class") is string label && classes.Add(label)).Take(count)
            .ToList();
        chosen.AddRange(held.Except(chosen).Take(count - chosen.Count));
        return [.. chosen];
    }

    /// <summary>listen/: held-out clips beside their reconstructions, and new samples; kit/: a kit for
    /// samplers.</summary>
    static async Task WriteListeningAsync(string model, string dataset, string folder, bool shipped)
    {
        string listen = Path.Combine(folder, "listen");
        using var runner = new ModelRunner(model);
        using var store = new ClipStore(dataset);
        if (store.Info.SampleRate != runner.SampleRate || store.Length != runner.ClipLength)
            throw new OneshotException($"The dataset in '{dataset}' has {store.Info.SampleRate} Hz clips of " +
                $"{store.Length} samples; the model '{model}' takes {runner.SampleRate} Hz clips of " +
                $"{runner.ClipLength}.");
        var test = Showcase(store, 4);
        var originals = test.Select(store.Read).ToArray();
        // as `reconstruct` makes them
        var reconstructions =
            runner.Decode(await ModelCommands.EncodeRefinedAsync(runner, originals, LatentRefiner.DefaultSteps));
        var samples = runner.Decode(runner.SampleLatents(4, 1.0, seed: 1, trainedPrior: runner.HasTrainedPrior));
        Directory.CreateDirectory(listen);
        for (int i = 0; i < test.Length; i++)
        {
            WavWriter.Write(Path.Combine(listen, $"test-{i}.original.wav"), originals[i], runner.SampleRate);
            WavWriter.Write(Path.Combine(listen, $"test-{i}.reconstructed.wav"), OutputLevel.Fitted(reconstructions[i]),
                runner.SampleRate);
        }
        for (int i = 0; i < samples.Length; i++)
            WavWriter.Write(Path.Combine(listen, $"sample-{i}.wav"), OutputLevel.Fitted(samples[i]), runner.SampleRate);

        string kitFolder = Path.Combine(folder, "kit");
        var kit = KitBuilder.Render(FirstKit(KitBuilder.TrainingClasses(runner, dataset)), folder, runner, dataset);
        KitExport.Write(kit, kitFolder);

        var shownClasses = test.Select(i => store.Meta[i].TextLabel("class")).OfType<string>().ToList();
        string which = shownClasses.Count == test.Length ? $" ({string.Join(", ", shownClasses)})" : "";
        AnsiConsole.MarkupLine($"\nListen: [bold]{Markup.Escape(listen)}[/] holds {test.Length} held-out test " +
            $"clips{Markup.Escape(which)} with their reconstructions and {samples.Length} new samples; "
            + $"[bold]{Markup.Escape(kitFolder)}[/] a {kit.Pads.Count}-pad kit (SFZ, SoundFont 2, Decent Sampler, " +
                $"Hydrogen).");
        if (!shipped)
        {
            AnsiConsole.MarkupLine($"A few minutes of training is only a start: continue with [bold]./oneshot train " +
                $"--data {Markup.Escape(dataset)} --out {Markup.Escape(model)} --resume[/] (an hour or more),");
            AnsiConsole.MarkupLine($"then fit a flow prior for better samples: [bold]./oneshot prior train " +
                $"{Markup.Escape(model)} --force[/].");
        }
        AnsiConsole.MarkupLine($"Measure it: [bold]./oneshot eval --models {Markup.Escape(model)} --data " +
            $"{Markup.Escape(dataset)} --out {Markup.Escape(Path.Combine(folder, "report"))}[/].");
    }

    /// <summary>One pad per drum class the dataset has (open and closed hats choking each other), then new sounds from
    /// the prior up to 16 pads.</summary>
    internal static KitDescription FirstKit(IReadOnlyList<string> classes)
    {
        var pads = new List<PadDescription>();
        foreach (string drum in new[] { "kick", "snare", "clap", "hihat", "tom", "cymbal",
            "percussion" }.Where(classes.Contains))
        {
            if (drum == "hihat")
            {
                pads.Add(new PadDescription { Name = "closed hat", Class = drum, Choke = 1 });
                pads.Add(new PadDescription { Name = "open hat", Class = drum, Seed = 2, Choke = 1 });
            }
            else if (drum == "tom")
            {
                pads.Add(new PadDescription { Name = "low tom", Class = drum, Tune = -3 });
                pads.Add(new PadDescription { Name = "high tom", Class = drum, Seed = 2, Tune = 2 });
            }
            else pads.Add(new PadDescription { Name = drum, Class = drum });
        }
        for (int seed = 1; pads.Count < KitDescription.MaxPads; seed++)
            pads.Add(new PadDescription { Name = $"new {seed}", Prior = true, Seed = seed, Temperature = 0.8 });
        return new KitDescription { Name = "Oneshot quickstart kit", Pads = [.. pads] };
    }
}
