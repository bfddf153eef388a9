using System.CommandLine;
using Oneshot.Evaluation.Report;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot chart`: held-out quality against training hours, from evaluations made as models
/// trained.</summary>
public static class ChartCommand
{
    public static Command Build()
    {
        var command =
            new Command("chart", "Draw a measure of held-out quality against training hours (SVG), one line per " +
            "model, from `oneshot eval` reports made as the models trained.");
        var reports = new Argument<string[]>("reports")
            { Description = "Evaluation reports (folders with metrics.json, or the files).",
            Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out", "-o")
            { Description = "The SVG file to write.", DefaultValueFactory = _ => "chart.svg" };
        var measure = new Option<string>("--measure")
            { Description = "test (held-out clips identified), seen (training clips identified) or partials " +
            "(held-out partials kept).", DefaultValueFactory = _ => "test" };
        command.Arguments.Add(reports);
        command.Options.Add(output);
        command.Options.Add(measure);
        command.SetAction(parse =>
        {
            var (svg, points) = ProgressChart.Draw(parse.GetValue(reports)!, parse.GetValue(measure)!);
            AtomicFile.WriteAllText(parse.GetValue(output)!, svg);
            foreach (var point in points.OrderBy(p => p.Model, StringComparer.Ordinal).ThenBy(p => p.Hours))
                AnsiConsole.MarkupLine(Markup.Escape($"  {point.Model}: {point.Hours:0.00} h → {point.Value:0.0} %"));
            AnsiConsole.MarkupLine($"Wrote {Markup.Escape(parse.GetValue(output)!)} ({points.Count} points).");
            return CliApp.Ok;
        });
        return command;
    }
}
