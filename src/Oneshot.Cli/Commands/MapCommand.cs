using System.CommandLine;
using Oneshot.Cli.Output;
using Oneshot.Generation;
using Oneshot.Maps;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot map`: a library laid out by sound, for the instrument's map.</summary>
public static class MapCommand
{
    public static Command Build()
    {
        var command = new Command("map",
            "Encode a library with a model and lay it out in 2-D by sound (the latents' principal plane and a t-SNE " +
                "layout): map.json and latents.npy. "
            + "Building again into the same folder encodes only new or changed sounds.");
        var model = new Argument<string>("model") { Description = "Model directory (from `oneshot train`)." };
        var inputs = new Argument<string[]>("inputs")
            { Description = "Dataset directories, folders of audio (searched recursively), audio files or .txt lists.",
            Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out", "-o")
            { Description = "Folder of the map.", DefaultValueFactory = _ => "map" };
        var refine = ModelCommands.RefineOption(0);   // off: a library of thousands is mapped quickly
        var perplexity = new Option<double>("--perplexity")
            { Description = "t-SNE's neighbourhood size (roughly how many neighbours each sound keeps near it).",
            DefaultValueFactory = _ => 30 };
        var seed = new Option<int>("--seed")
            { Description = "Seed of the t-SNE layout.", DefaultValueFactory = _ => 1 };
        var batchSize = ModelCommands.BatchSizeOption();
        var threads = TrainCommand.ThreadsOption();
        var device = DeviceChoice.Option();
        command.Arguments.Add(model);
        command.Arguments.Add(inputs);
        foreach (Option option in new Option[] { output, refine, perplexity, seed, batchSize, threads, device })
            command.Options.Add(option);
        command.SetAction(async (parse, cancellation) =>
        {
            TrainCommand.ApplyThreads(parse.GetValue(threads));
            var on = DeviceChoice.Resolve(parse, device);
            if (parse.GetValue(perplexity) is var p && (p < 2 || !double.IsFinite(p)))
                throw new OneshotException($"--perplexity {p} must be 2 or more.");
            using var runner = new ModelRunner(parse.GetValue(model)!, on) { BatchSize = parse.GetValue(batchSize) };
            string folder = parse.GetValue(output)!;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = await ProgressDisplay.RunAsync("Mapping", "sounds",
                report => SoundMapBuilder.Build(runner, parse.GetValue(inputs)!, folder,
                parse.GetValue(refine), parse.GetValue(perplexity), parse.GetValue(seed),
                    m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"), (done, total) => report(done, total),
                    cancellation));
            foreach (var (source, reason) in result.Skipped.Take(10))
                AnsiConsole.MarkupLine($"[yellow]Skipped[/] {Markup.Escape(source)}: {Markup.Escape(reason)}");
            if (result.Skipped.Count > 10)
                AnsiConsole.MarkupLine($"[yellow]… and {result.Skipped.Count - 10} more skipped.[/]");
            AnsiConsole.MarkupLine($"Mapped [bold]{result.Map.Sounds.Length}[/] sounds into {Markup.Escape(folder)} " +
                $"({result.Encoded} encoded, {result.Reused} reused; layout: {result.Map.Layout}) " +
                $"in {clock.Elapsed.TotalSeconds:0.0} s.");
            return CliApp.Ok;
        });
        return command;
    }
}
