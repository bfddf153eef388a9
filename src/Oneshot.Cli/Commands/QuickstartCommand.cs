using System.CommandLine;
using Oneshot.Audio;
using Oneshot.Cli.Output;
using Oneshot.Data;
using Oneshot.Data.Recipes;
using Oneshot.Generation;
using Oneshot.Model;
using Oneshot.Prior;
using Oneshot.Training;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot quickstart`: the first thing a new user runs. It builds the default dataset, trains a first model briefly, then reconstructs and samples.</summary>
public static class QuickstartCommand
{
    public static Command Build()
    {
        var command = new Command("quickstart", "Build the default dataset (the Hydrogen drum kits when installed, else synthetic one-shots), train a first model for a few minutes, and write reconstructions and samples to listen to.");
        var output = new Option<string>("--out", "-o") { Description = "Folder for everything quickstart makes.", DefaultValueFactory = _ => "oneshot-quickstart" };
        var recipe = new Option<string>("--recipe") { Description = "drums, gm-drums, notes or synthetic (default: drums when installed, else synthetic).", DefaultValueFactory = _ => Recipes.Default };
        recipe.AcceptOnlyFromAmong(Recipes.Names);
        var minutes = new Option<double>("--train-minutes") { Description = "Minutes of training for the first model (0 skips training).", DefaultValueFactory = _ => 3 };
        command.Options.Add(output);
        command.Options.Add(recipe);
        command.Options.Add(minutes);
        command.SetAction(async (parse, cancellation) =>
        {
            string folder = parse.GetValue(output)!;
            string name = parse.GetValue(recipe)!;
            string dataset = Path.Combine(folder, "data");
            AnsiConsole.MarkupLine($"[bold]Oneshot quickstart[/]: building the [bold]{name}[/] dataset in {Markup.Escape(dataset)}");
            if (name == "synthetic" && !DrumsRecipe.IsInstalled())
                AnsiConsole.MarkupLine($"[grey](install {DrumsRecipe.Package} for real drum one-shots instead)[/]");
            // Quickstart owns its folder: re-running it replaces the dataset it made before.
            var result = await DataCommand.RunRecipeAsync(new RecipeRequest(name), dataset, new PrepareOptions(), force: true, cancellation);
            DatasetReport.PrintPrepared(result);
            AnsiConsole.WriteLine();
            DatasetReport.PrintSummary(DatasetSummary.Load(dataset), listGroups: false);
            double trainMinutes = parse.GetValue(minutes);
            if (trainMinutes <= 0)
            {
                AnsiConsole.MarkupLine($"\nNext: [bold]./oneshot train --data {Markup.Escape(dataset)} --out {Markup.Escape(Path.Combine(folder, "model"))}[/]");
                return CliApp.Ok;
            }

            // A first model: the cpu preset for a few minutes — enough to hear what it is learning.
            string model = Path.Combine(folder, "model");
            AnsiConsole.WriteLine();
            var trained = await TrainCommand.RunAsync(new TrainRequest
            {
                DataDirectory = dataset,
                ModelDirectory = model,
                Config = Presets.Get("cpu").With(["train.validate_every=200", "train.checkpoint_every=200"]),
                Force = true,
                MaxMinutes = trainMinutes,
            }, cancellation, adviseSchedule: false);
            if (trained.Outcome == TrainOutcome.Interrupted) return CliApp.Interrupted;

            // A young model's latents sit far from N(0, I); a full-covariance Gaussian fitted to them
            // takes seconds and puts the samples where real sounds are.
            AnsiConsole.MarkupLine("Fitting a Gaussian prior to the training clips' latents…");
            new PriorTrainer().Run(new PriorRequest { ModelDirectory = model, DataDirectory = dataset, Config = new PriorConfig { Kind = PriorKind.Gaussian }, Force = true }, cancellation);

            string listen = Path.Combine(folder, "listen");
            using var runner = new ModelRunner(model);
            using var store = new ClipStore(dataset);
            var test = store.IndicesOf("test").Take(4).ToArray();
            var originals = test.Select(store.Read).ToArray();
            var reconstructions = runner.Decode(await ModelCommands.EncodeRefinedAsync(runner, originals, LatentRefiner.DefaultSteps));   // as `reconstruct` makes them
            var samples = runner.Decode(runner.SampleLatents(4, 1.0, seed: 1, trainedPrior: true));
            Directory.CreateDirectory(listen);
            for (int i = 0; i < test.Length; i++)
            {
                WavWriter.Write(Path.Combine(listen, $"test-{i}.original.wav"), originals[i], runner.SampleRate);
                WavWriter.Write(Path.Combine(listen, $"test-{i}.reconstructed.wav"), ClipShaping.Limited(reconstructions[i]), runner.SampleRate);
            }
            for (int i = 0; i < samples.Length; i++)
                WavWriter.Write(Path.Combine(listen, $"sample-{i}.wav"), ClipShaping.Limited(samples[i]), runner.SampleRate);
            AnsiConsole.MarkupLine($"\nListen: [bold]{Markup.Escape(listen)}[/] holds {test.Length} held-out test clips with their reconstructions and {samples.Length} new samples.");
            AnsiConsole.MarkupLine($"A few minutes of training is only a start: continue with [bold]./oneshot train --data {Markup.Escape(dataset)} --out {Markup.Escape(model)} --resume[/] (an hour or more),");
            AnsiConsole.MarkupLine($"then fit a flow prior for better samples: [bold]./oneshot prior train {Markup.Escape(model)} --force[/].");
            AnsiConsole.MarkupLine($"Play it in the browser: [bold]./oneshot play {Markup.Escape(model)}[/]; measure it: [bold]./oneshot eval --models {Markup.Escape(model)} --data {Markup.Escape(dataset)} --out {Markup.Escape(Path.Combine(folder, "report"))}[/].");
            return CliApp.Ok;
        });
        return command;
    }
}
