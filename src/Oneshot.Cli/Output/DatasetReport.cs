using System.Globalization;
using Oneshot.Data;
using Spectre.Console;

namespace Oneshot.Cli.Output;

/// <summary>Console output for datasets: the result of a preparation and `data info`.</summary>
public static class DatasetReport
{
    public static void PrintPrepared(PrepareResult result)
    {
        var info = result.Info;
        string splits = string.Join(" / ", DatasetFormat.Splits.Select(s => $"{s} {info.Splits.GetValueOrDefault(s)}"));
        AnsiConsole.MarkupLine(
            $"[green]Prepared {info.Count} clips[/] ({Markup.Escape(splits)}) in {info.Groups} groups, " +
            $"{info.ClipLength} samples ({info.Options.ClipSeconds.ToString("0.00", CultureInfo.InvariantCulture)} " +
                $"s) at {info.SampleRate} Hz → [bold]{Markup.Escape(result.Directory)}[/]");
        if (result.Skipped.Count > 0)
        {
            AnsiConsole.MarkupLine($"Skipped {info.Skipped} unusable files and {info.Duplicates} duplicates; reasons " +
                $"in {Markup.Escape(Path.Combine(result.Directory, DatasetFormat.SkippedFile))}:");
            foreach (var s in result.Skipped.Take(5))
                AnsiConsole.MarkupLine($"  [yellow]{Markup.Escape(s.Source)}[/]: {Markup.Escape(s.Reason)}");
            if (result.Skipped.Count > 5) AnsiConsole.MarkupLine($"  … and {result.Skipped.Count - 5} more");
        }
    }

    public static void PrintSummary(DatasetSummary summary, bool listGroups)
    {
        var info = summary.Info;
        AnsiConsole.MarkupLine($"[bold]{info.Count}[/] clips of {info.ClipLength} samples " +
            $"({info.Options.ClipSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s) at {info.SampleRate} Hz, " +
            $"{info.Groups} groups; hash {Markup.Escape(info.Hash)}");
        AnsiConsole.MarkupLine($"Source: {Markup.Escape(info.Source)}");
        AnsiConsole.MarkupLine($"Skipped when prepared: {info.Skipped} unusable, {info.Duplicates} duplicates.");

        var splits = new Table().Title("Splits").AddColumns("split", "clips", "groups");
        foreach (string split in DatasetFormat.Splits)
            splits.AddRow(split, summary.ClipsPerSplit[split].ToString(),
                summary.Groups.Count(g => g.Split == split).ToString());
        AnsiConsole.Write(splits);

        if (listGroups)
        {
            var groups = new Table().Title("Groups").AddColumns("group", "split", "clips");
            foreach (var (group, split, clips) in summary.Groups)
                groups.AddRow(Markup.Escape(group), split, clips.ToString());
            AnsiConsole.Write(groups);
        }

        foreach (var (label, values) in summary.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            const int shown = 12;
            string list = string.Join(", ", values.Take(shown).Select(v => $"{v.Value} ({v.Clips})"));
            if (values.Count > shown) list += $", … {values.Count - shown} more";
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(label)}[/] ({values.Count} values): {Markup.Escape(list)}");
        }

        var table = new Table().Title("Descriptors").AddColumns("descriptor", "n", "mean", "sd", "min", "median",
            "max");
        foreach (var (name, s) in summary.Descriptors)
            table.AddRow(Markup.Escape(name), s.Count.ToString(), F(s.Mean), F(s.StandardDeviation), F(s.Min),
                F(s.Median), F(s.Max));
        AnsiConsole.Write(table);
    }

    static string F(double value) => double.IsNaN(value) ? "-" : Math.Abs(value) >= 100
        ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);
}
