using System.CommandLine;
using System.Globalization;
using Oneshot.Cli.Output;
using Oneshot.Model;
using Oneshot.Training;
using Spectre.Console;
using TorchSharp;
using ValidationResult = Oneshot.Training.ValidationResult;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot train`: stage-1 training from a dataset directory into a model directory.</summary>
public static class TrainCommand
{
    public static Command Build()
    {
        var command =
            new Command("train", "Train the waveform VAE on a dataset (stage 1: spectral reconstruction + KL). " +
            "Ctrl-C saves a checkpoint; --resume continues exactly.");
        var data = new Option<string>("--data", "-d")
            { Description = "Dataset directory (from `oneshot data prepare` or `oneshot data recipe`).",
            Required = true };
        var output = new Option<string>("--out", "-o")
            { Description = "Model directory to create (or to continue with --resume).", Required = true };
        var preset = new Option<string>("--preset")
            { Description = "Starting configuration: tiny (tests), cpu (a laptop), gpu (RAVE-v2 size).",
            DefaultValueFactory = _ => "cpu" };
        preset.AcceptOnlyFromAmong(Presets.Names);
        var set = new Option<string[]>("--set")
            { Description = "Override a setting, e.g. --set model.latent_size=32 --set train.batch_size=4 " +
            "(repeatable).", AllowMultipleArgumentsPerToken = false };
        var resume = new Option<bool>("--resume")
            { Description = "Continue the run in --out from its last checkpoint." };
        var force = new Option<bool>("--force") { Description = "Replace a model that already exists in --out." };
        var minutes = new Option<double?>("--minutes")
            { Description = "Stop after this many minutes (a checkpoint is written; resume later)." };
        var steps = new Option<long?>("--max-steps")
            { Description = "Stop after this many steps in this session (a checkpoint is written)." };
        var alsoTrainOn = new Option<string[]>("--also-train-on")
            { Description = "Another dataset (same rate and clip length) whose clips, every split, join the training " +
            "clips; --data's validation and test kits stay held out (repeatable; sets train.extra_data)." };
        var initFrom = new Option<string?>("--init-from")
            { Description = "Start from this model's weights (its architecture: the model section of its " +
            "config.json) with a fresh optimiser and schedule — fine-tune a model, e.g. the shipped one, on your own " +
            "sounds (sets train.init_from)." };
        var threads = ThreadsOption();
        var device = DeviceChoice.Option();
        foreach (Option option in new Option[] { data, output, preset, set, alsoTrainOn, initFrom, resume, force,
            minutes, steps, threads, device })
            command.Options.Add(option);
        command.SetAction(async (parse, cancellation) =>
        {
            ApplyThreads(parse.GetValue(threads));
            var on = DeviceChoice.Resolve(parse, device);
            string[] overrides = parse.GetValue(set) ?? [];
            string[] extraData = parse.GetValue(alsoTrainOn) ?? [];
            if (extraData.Length > 0)
                overrides =
                    [.. overrides,
                    $"train.extra_data=" +
                    $"{System.Text.Json.JsonSerializer.Serialize(extraData.Select(Path.GetFullPath))}"];
            bool resuming = parse.GetValue(resume);
            var config = resuming ? Presets.Get("cpu") : Presets.Get(parse.GetValue(preset)!).With(overrides);
            if (parse.GetValue(initFrom) is string source && !resuming)
                config = StartingFrom(config, source, overrides);
            var request = new TrainRequest
            {
                DataDirectory = parse.GetValue(data)!,
                ModelDirectory = parse.GetValue(output)!,
                Config = config,
                Resume = resuming,
                ResumeOverrides = resuming ? overrides : [],
                Force = parse.GetValue(force),
                MaxMinutes = parse.GetValue(minutes),
                MaxSessionSteps = parse.GetValue(steps),
                Device = on,
            };
            var result = await RunAsync(request, cancellation);
            return result.Outcome == TrainOutcome.Interrupted ? CliApp.Interrupted : CliApp.Ok;
        });
        return command;
    }

    /// <summary>A new run's config for --init-from: the source's architecture, this run's training settings.</summary>
    static RunConfig StartingFrom(RunConfig config, string source, string[] overrides)
    {
        if (!ModelDirectory.Exists(source))
            throw new OneshotException($"--init-from '{source}' is not a model directory (no " +
                $"{ModelDirectory.ConfigFile}).");
        static bool IsAddition(string assignment) =>
            ModelConfig.DecoderAdditions.Any(key => assignment.StartsWith($"model.{key}=", StringComparison.Ordinal));
        var modelOverrides = overrides.Where(o => o.StartsWith("model.", StringComparison.Ordinal)).ToArray();
        if (modelOverrides.FirstOrDefault(o => !IsAddition(o)) is string model)
            throw new OneshotException($"--set {model} cannot go with --init-from: the architecture is the one of " +
                $"'{source}' "
                + $"(only decoder additions that start silent may be set: " +
                    $"{string.Join(", ", ModelConfig.DecoderAdditions.Select(k => $"model.{k}"))}).");
        var sourceConfig = RunConfig.Load(Path.Combine(source, ModelDirectory.ConfigFile));
        // Only a part the source lacks may be grown: set on a part it has, a setting would retune trained weights
        // unseen.
        bool Has(string assignment) => assignment.StartsWith("model.mode", StringComparison.Ordinal)
            ? sourceConfig.Model.Modes > 0
            : assignment.StartsWith("model.decoder_film=", StringComparison.Ordinal) ? sourceConfig.Model.DecoderFilm
            : sourceConfig.Model.DecoderPositions > 0;
        if (modelOverrides.FirstOrDefault(Has) is string existing)
            throw new OneshotException($"--set {existing} cannot go with --init-from: '{source}' already has that " +
                $"part, trained; only parts it lacks can be grown.");
        var from = sourceConfig.With(modelOverrides);
        return config with { Model = from.Model, Train = config.Train with { InitFrom = Path.GetFullPath(source) } };
    }

    public static Option<int> ThreadsOption() => new("--threads")
        { Description = "CPU threads for the tensor library (0 = all cores).", DefaultValueFactory = _ => 0 };

    public static void ApplyThreads(int threads)
    {
        if (threads < 0) throw new OneshotException($"--threads {threads} must be 0 (all cores) or more.");
        if (threads > 0) torch.set_num_threads(threads);
    }

    /// <summary>Runs training with a progress bar and validation lines; shared with quickstart (which has its own
    /// advice, so no schedule hint).</summary>
    public static async Task<TrainResult> RunAsync(TrainRequest request, CancellationToken cancellation,
        bool adviseSchedule = true)
    {
        AnsiConsole.MarkupLine($"Training [bold]{Markup.Escape(request.ModelDirectory)}[/] on " +
            $"{Markup.Escape(request.DataDirectory)}" +
                               (request.Resume ? " (resuming)" : $" — {Markup.Escape(request.Config.Describe())}"));
        void PrintValidation(ValidationResult v) =>
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"  valid @ {v.Step}: loss {v.Loss:0.000}  spectral {v.Spectral:0.000}  bands {v.BandSpectral:0.000}  " +
                $"log-mel L1 {v.LogMelL1:0.000}  SI-SDR {v.SiSdrDb:0.0} dB  KL {v.Kl:0.0}  active " +
                $"{v.ActiveUnits}/{v.KlPerDimension.Length}")));
        void PrintMessage(string m) => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(m)}[/]");
        static string Describe(TrainProgress p) => string.Create(CultureInfo.InvariantCulture,
            $"step {p.Step}/{p.TotalSteps}  loss {p.Loss:0.000}  spec {p.Spectral:0.000}  KL {p.Kl:0.0}  β " +
                $"{p.Beta:0.0e0}  {p.ClipsPerSecond:0.0} clips/s  elapsed {p.Elapsed:hh\\:mm\\:ss}");

        var result = await ProgressDisplay.RunStepsAsync(TimeSpan.FromSeconds(30), report => new VaeTrainer
        {
            OnStep = p => report(p.Step, p.TotalSteps, Describe(p)),
            OnValidation = PrintValidation,
            OnMessage = PrintMessage,
        }.Run(request, cancellation));

        string directory = Markup.Escape(request.ModelDirectory);
        string how = result.Outcome switch
        {
            TrainOutcome.Finished => "finished",
            TrainOutcome.TimeLimit => "stopped at the time limit",
            TrainOutcome.StepLimit => "stopped at the step limit",
            _ => "interrupted",
        };
        AnsiConsole.MarkupLine($"Training {how} at step [bold]{result.Step}[/]; the model is in [bold]{directory}[/] " +
            $"(metrics: {directory}/train/metrics.csv, TensorBoard: {directory}/train/tensorboard).");
        if (result.SkippedSteps > 0)
            AnsiConsole.MarkupLine($"[yellow]{result.SkippedSteps} steps were skipped for non-finite values.[/]");
        // A run cut short by --minutes ends at a high learning rate; one scheduled to end there anneals
        // and reconstructs better at the same step (docs/benchmarks.md: "Annealing within the run").
        if (adviseSchedule && result.Outcome == TrainOutcome.TimeLimit && result.Step > 0
            && result.Step < result.ScheduledSteps / 2)
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"The learning rate is still {result.LearningRate:0.0e0}: it anneals over train.steps = " +
                    $"{result.ScheduledSteps}, far beyond step {result.Step}. ") +
                $"To end a run annealed, which reconstructs better at the same step, give it the step to finish at: " +
                    $"--set train.steps={result.Step} on a new run of this length, or --resume --set train.steps=N " +
                    $"to finish at step N."));
        if (result.Outcome != TrainOutcome.Finished)
            AnsiConsole.MarkupLine($"Continue with: [bold]./oneshot train --data " +
                $"{Markup.Escape(request.DataDirectory)} --out {directory} --resume[/]");
        return result;
    }
}
