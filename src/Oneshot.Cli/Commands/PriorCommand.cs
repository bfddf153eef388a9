using System.CommandLine;
using System.Globalization;
using Oneshot.Cli.Output;
using Oneshot.Prior;
using Oneshot.Training;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot prior train`: fit a prior to a trained model's frozen posterior.</summary>
public static class PriorCommand
{
    static readonly Dictionary<string, PriorKind> Kinds = new()
    {
        ["nsf"] = PriorKind.Nsf,
        ["maf"] = PriorKind.Maf,
        ["realnvp"] = PriorKind.RealNvp,
        ["gaussian"] = PriorKind.Gaussian,
        ["gmm"] = PriorKind.Gmm,
        ["standard"] = PriorKind.Standard,
    };

    public static Command Build()
    {
        var prior =
            new Command("prior", "Priors over a model's latent space: sample new sounds from where real ones live.");
        prior.Subcommands.Add(BuildTrain());
        return prior;
    }

    static Command BuildTrain()
    {
        var command =
            new Command("train", "Fit a prior to the frozen model's posterior by maximum likelihood; writes " +
            "prior.json and prior.safetensors into the model directory. Ctrl-C saves a checkpoint; --resume " +
            "continues.");
        var model = new Argument<string>("model") { Description = "Model directory (from `oneshot train`)." };
        var flow = new Option<string>("--flow")
            { Description = "nsf (spline flow), maf, realnvp, or the baselines gaussian (full covariance), gmm " +
            "(mixture), standard (N(0, I)).", DefaultValueFactory = _ => "nsf" };
        flow.AcceptOnlyFromAmong([.. Kinds.Keys]);
        var data = new Option<string?>("--data", "-d")
            { Description = "The model's dataset directory, when it has moved since training." };
        var set = new Option<string[]>("--set")
            { Description = "Override a prior setting, e.g. --set prior.layers=6 --set prior.steps=2000 " +
            "(repeatable)." };
        var seed = new Option<int?>("--seed")
            { Description = "Random seed (posterior draws, batches, initialisation)." };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted fit (same settings)." };
        var force = new Option<bool>("--force") { Description = "Replace the model's existing prior." };
        var minutes = new Option<double?>("--minutes")
            { Description = "Stop after this many minutes (a checkpoint is written; resume later)." };
        var threads = TrainCommand.ThreadsOption();
        var device = DeviceChoice.Option();
        device.Description += " The clips are encoded there; the prior itself is fitted on the CPU.";
        command.Arguments.Add(model);
        foreach (Option option in new Option[] { flow, data, set, seed, resume, force, minutes, threads, device })
            command.Options.Add(option);
        command.SetAction(async (parse, cancellation) =>
        {
            TrainCommand.ApplyThreads(parse.GetValue(threads));
            var on = DeviceChoice.Resolve(parse, device);
            var config = new PriorConfig { Kind = Kinds[parse.GetValue(flow)!] }.With(parse.GetValue(set) ?? []);
            if (parse.GetValue(seed) is { } s) config = config with { Seed = s };
            var request = new PriorRequest
            {
                ModelDirectory = parse.GetValue(model)!,
                DataDirectory = parse.GetValue(data),
                Config = config,
                Resume = parse.GetValue(resume),
                Force = parse.GetValue(force),
                MaxMinutes = parse.GetValue(minutes),
                Device = on,
            };
            string kind = parse.GetValue(flow)!;
            var result = await ProgressDisplay.RunAsync($"prior {kind}", "steps", report => new PriorTrainer
            {
                OnEncode = (_, done, total) => report(done, total),
                OnStep = p => report(p.Step, p.TotalSteps),
                OnMessage = m => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(m)}[/]"),
            }.Run(request, cancellation));
            var r = result.Report;
            string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
            var table = new Table().AddColumns("prior", "held-out NLL (nats/dim)");
            table.AddRow(kind, F(r.HeldOutNllPerDim));
            foreach (var (name, value) in r.Baselines.Where(b => b.Key != kind))
                table.AddRow($"{name} (baseline)", F(value));
            AnsiConsole.Write(table);
            if (!result.Finished)
            {
                AnsiConsole.MarkupLine($"Stopped; continue with: [bold]./oneshot prior train " +
                    $"{Markup.Escape(request.ModelDirectory)} --flow {kind} --resume[/]");
                return CliApp.Interrupted;
            }
            AnsiConsole.MarkupLine($"Held-out latents: {r.HeldOutClips} clips × {r.HeldOutDraws} " +
                $"draws{(r.Steps > 0 ? $"; best at step {r.BestStep} of {r.Steps}" : "")}. " +
                $"Wrote {Markup.Escape(Path.Combine(request.ModelDirectory, PriorFile.JsonFile))}; " +
                $"`oneshot sample {Markup.Escape(request.ModelDirectory)}` now uses it.");
            return CliApp.Ok;
        });
        return command;
    }
}
