using System.CommandLine;
using System.Globalization;
using Oneshot.Model;
using Oneshot.Training;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot controls`: fit the named controls (brightness, decay, …) of a model trained before they
/// existed.</summary>
public static class ControlsCommand
{
    public static Command Build()
    {
        var command = new Command("controls",
            "Find the latent directions that follow brightness, noisiness, attack, decay, pitch and level over the " +
                "training clips, "
            + "and write them into the model's latent.json (training does this at its end; this is for models " +
                "trained before).");
        var model = new Argument<string>("model") { Description = "Model directory (from `oneshot train`)." };
        var data = new Option<string?>("--data", "-d")
            { Description = "The model's dataset directory, when it has moved since training." };
        var directions = new Option<ControlDirections>("--directions")
        {
            Description = "regression: each control follows the direction that best predicts its quality; "
                + "held: the direction that moves its quality's prediction and holds the other five still.",
            DefaultValueFactory = _ => ControlDirections.Regression,
        };
        var threads = TrainCommand.ThreadsOption();
        command.Arguments.Add(model);
        command.Options.Add(data);
        command.Options.Add(directions);
        command.Options.Add(threads);
        command.SetAction(parse =>
        {
            TrainCommand.ApplyThreads(parse.GetValue(threads));
            string directory = parse.GetValue(model)!;
            var (statistics, warnings) = LatentAnalysis.Rewrite(directory, parse.GetValue(data),
                directions: parse.GetValue(directions));
            foreach (string warning in warnings)
                AnsiConsole.MarkupLine($"[yellow]Warning:[/] {Markup.Escape(warning)}");
            Print(statistics.Controls);
            AnsiConsole.MarkupLine($"Wrote {Markup.Escape(Path.Combine(directory, ModelDirectory.LatentFile))}; " +
                $"`oneshot play {Markup.Escape(directory)}` shows them as sliders.");
            return CliApp.Ok;
        });
        return command;
    }

    static void Print(IReadOnlyList<NamedControl> controls)
    {
        var table = new Table().AddColumns("control", "spans (±2 σ)", "R² train", "R² valid", "clips");
        foreach (var c in controls)
            table.AddRow(c.Name, Markup.Escape(c.Span()), F(c.RSquaredTrain), c.RSquaredValid is double v ? F(v) : "–",
                c.Clips.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("R² valid is the share of the descriptor's variance the direction predicts on " +
            "held-out clips: near 1 the name is earned, near 0 it is not.");
    }

    static string F(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
