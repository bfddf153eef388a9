using System.CommandLine;
using Oneshot.Generation;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot pack`: a trained model made ready to hand on, optionally with float16 weights.</summary>
public static class PackCommand
{
    public static Command Build()
    {
        var command = new Command("pack", "Copy what a trained model needs to play, sample and be evaluated (config, weights, latent.json, prior) into a new directory, "
            + "without its training folder; --float16 halves the weights' size. Prints the weights' SHA-256.");
        var model = new Argument<string>("model") { Description = "Model directory (from `oneshot train`)." };
        var output = new Option<string>("--out", "-o") { Description = "Directory for the packed model.", Required = true };
        var float16 = new Option<bool>("--float16") { Description = "Store the weights as float16 (loading turns them back into float32)." };
        command.Arguments.Add(model);
        command.Options.Add(output);
        command.Options.Add(float16);
        command.SetAction(parse =>
        {
            string destination = parse.GetValue(output)!;
            string sha = ModelPackage.Pack(parse.GetValue(model)!, destination, parse.GetValue(float16));
            long bytes = Directory.EnumerateFiles(destination).Sum(f => new FileInfo(f).Length);
            AnsiConsole.MarkupLine($"Packed into [bold]{Markup.Escape(destination)}[/] ({bytes / 1e6:0.0} MB); weights SHA-256 {sha}.");
            return CliApp.Ok;
        });
        return command;
    }
}
