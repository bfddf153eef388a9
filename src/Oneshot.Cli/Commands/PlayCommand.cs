using System.CommandLine;
using System.Diagnostics;
using Oneshot.Cli.Web;
using Oneshot.Generation;
using Oneshot.Model;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot play`: the model as an instrument in the browser.</summary>
public static class PlayCommand
{
    public static Command Build()
    {
        var command =
            new Command("play", "Play a model's latent space in the browser: named sliders (brightness, decay, …) " +
            "and its principal directions, random sounds, variations, a morph pad, drop-a-file, keyboard and MIDI.");
        var model = new Argument<string?>("model")
            { Description = "Model directory; left out, the model shipped with Oneshot (models/drums).",
            Arity = ArgumentArity.ZeroOrOne };
        var port = new Option<int>("--port")
            { Description = "Port on 127.0.0.1 (0: any free one).", DefaultValueFactory = _ => 5170 };
        var open = new Option<bool>("--open") { Description = "Open the page in the default browser." };
        var threads = TrainCommand.ThreadsOption();
        var device = DeviceChoice.Option();
        var map = new Option<string?>("--map")
            { Description = "A sound map from `oneshot map` to show on the page (default: the model's training " +
            "clips, mapped into MODEL/map when first opened)." };
        var data = new Option<string?>("--data", "-d")
            { Description = "The model's dataset (for the map of its training clips and the kit's class pads) when " +
            "it is not where training left it, e.g. for the shipped model." };
        var refine = ModelCommands.RefineOption(LatentRefiner.DefaultSteps);
        refine.Description += " Applies to dropped files.";
        command.Arguments.Add(model);
        foreach (Option option in new Option[] { port, open, threads, device, map, data, refine })
            command.Options.Add(option);
        command.SetAction(async (parse, cancellation) =>
        {
            TrainCommand.ApplyThreads(parse.GetValue(threads));
            var on = DeviceChoice.Resolve(parse, device);
            string directory = ShippedModel.Or(parse.GetValue(model));
            if (!ModelDirectory.Exists(directory))
                throw new OneshotException($"'{directory}' is not a model directory (no config.json); train one with " +
                    $"`oneshot train` or `oneshot quickstart`.");
            await ServeAsync(directory, parse.GetValue(port), parse.GetValue(refine), on, parse.GetValue(map),
                parse.GetValue(data), parse.GetValue(open), cancellation);
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>Serves the instrument page until Ctrl-C (shared with quickstart).</summary>
    internal static async Task ServeAsync(string directory, int port, int refineSteps, TorchSharp.torch.Device? device,
        string? map, string? data, bool open, CancellationToken cancellation)
    {
        await using var server = await InstrumentServer.StartAsync(directory, port, refineSteps, cancellation, device,
            map, data);
        AnsiConsole.MarkupLine($"The instrument is at [bold]{Markup.Escape(server.Url)}[/] — open it in a browser. " +
            $"Ctrl-C stops.");
        if (open) OpenBrowser(server.Url);
        try { await Task.Delay(Timeout.Infinite, cancellation); }
        catch (OperationCanceledException) { }
    }

    static void OpenBrowser(string url)
    {
        try
        {
            Process.Start(new ProcessStartInfo("xdg-open", url) { UseShellExecute = false, RedirectStandardError = true,
                RedirectStandardOutput = true });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            AnsiConsole.MarkupLine("[yellow]Could not open a browser (no xdg-open); open the address yourself.[/]");
        }
    }
}
