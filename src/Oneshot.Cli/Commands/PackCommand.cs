using System.CommandLine;
using System.Globalization;
using Oneshot.Generation;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot pack`: a trained model made ready to hand on, optionally with float16 weights.</summary>
public static class PackCommand
{
    public static Command Build()
    {
        var command =
            new Command("pack", "Copy what a trained model needs to play, sample and be evaluated (config, weights, " +
            "latent.json, prior) into a new directory, "
            + "without its training folder; --float16 halves the weights' size. Prints the weights' SHA-256.");
        var model = new Argument<string>("model") { Description = "Model directory (from `oneshot train`)." };
        var output = new Option<string>("--out", "-o")
            { Description = "Directory for the packed model.", Required = true };
        var float16 = new Option<bool>("--float16")
            { Description = "Store the weights as float16 (loading turns them back into float32)." };
        var checkData = new Option<string?>("--check-data")
            { Description = "A dataset prepared from files (e.g. the drums recipe): measure a few of its test clips " +
            "with the packed model and write card.json (the weights' SHA-256 and each clip's log-mel L1), which a " +
            "test can re-measure." };
        var checkClips = new Option<int>("--check-clips")
            { Description = "How many test clips card.json names.", DefaultValueFactory = _ => 8 };
        command.Arguments.Add(model);
        foreach (Option option in new Option[] { output, float16, checkData, checkClips }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            string destination = parse.GetValue(output)!;
            string sha = ModelPackage.Pack(parse.GetValue(model)!, destination, parse.GetValue(float16));
            long bytes = Directory.EnumerateFiles(destination).Sum(f => new FileInfo(f).Length);
            AnsiConsole.MarkupLine($"Packed into [bold]{Markup.Escape(destination)}[/] ({bytes / 1e6:0.0} MB); " +
                $"weights SHA-256 {sha}.");
            if (parse.GetValue(checkData) is string data)
            {
                var card = ModelCard.Write(destination, data, parse.GetValue(checkClips));
                var losses = card.Clips.Select(c => c.LogMelL1.ToString("0.000", CultureInfo.InvariantCulture));
                AnsiConsole.MarkupLine($"Wrote {ModelCard.FileName}: {card.Clips.Count} test clips, log-mel L1 " +
                    $"{string.Join(", ", losses)}.");
            }
            return CliApp.Ok;
        });
        return command;
    }
}
