using System.CommandLine;
using System.Globalization;
using Oneshot.Cli.Web;
using Oneshot.Listening;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot listen`: a MOS listening test in the browser, and `oneshot listen results`.</summary>
public static class ListenCommand
{
    public static Command Build()
    {
        var command =
            new Command("listen", "Run a listening test in the browser: MOS (ACR 1–5) on real clips (hidden " +
            "anchors), reconstructions and generated clips, or A/B preferences between models with the real clips as " +
            "reference (--design preference). Create the study from an eval report with --from.");
        var study = new Argument<string>("study") { Description = "Study folder (study.json, stimuli/, ratings.db)." };
        var from = new Option<string?>("--from")
            { Description = "Create the study from this `oneshot eval` report folder." };
        var port = new Option<int>("--port")
            { Description = "Port (0: any free one).", DefaultValueFactory = _ => 5180 };
        var host = new Option<bool>("--host")
            { Description = "Share on the local network; every rater then needs an invitation link with an access " +
            "token." };
        var design = new Option<string>("--design")
            { Description = "With --from: acr (rate each sound 1–5) or preference (choose between two models' " +
            "versions, the real clip as reference; needs a report of two or more models).",
            DefaultValueFactory = _ => "acr" };
        design.AcceptOnlyFromAmong("acr", "preference");
        var raters = new Option<int>("--raters")
            { Description = "With --host: invitation links to create (kept in tokens.txt).",
            DefaultValueFactory = _ => 0 };
        command.Arguments.Add(study);
        foreach (Option option in new Option[] { from, design, port, host, raters }) command.Options.Add(option);
        command.Subcommands.Add(BuildResults());
        command.SetAction(async (parse, cancellation) =>
        {
            string directory = parse.GetValue(study)!;
            if (parse.GetValue(raters) < 0) throw new OneshotException("--raters must not be negative.");
            if (parse.GetValue(raters) > 0 && !parse.GetValue(host))
                throw new OneshotException("--raters makes invitation links for --host; on this computer alone no " +
                    "links are needed.");
            if (parse.GetValue(from) is null && parse.GetValue(design) != "acr")
                throw new OneshotException($"--design chooses the kind of a new study, made with --from REPORT; " +
                    $"'{directory}' keeps the design it was made with.");
            if (parse.GetValue(from) is { } report)
            {
                var kind = parse.GetValue(design) == "preference" ? ListeningDesign.Preference : ListeningDesign.Acr;
                var created = ListeningStudy.CreateFromReport(directory, report, design: kind);
                AnsiConsole.MarkupLine(kind == ListeningDesign.Preference
                    ? $"Created a study of {created.Trials.Count} A/B comparisons " +
                        $"({created.Trials.Count(t => t.Kind == TrialKind.Check)} of them checks) in " +
                        $"{Markup.Escape(directory)}."
                    : $"Created a study of {created.Stimuli.Count} sounds from {created.Systems.Count} systems in " +
                        $"{Markup.Escape(directory)}.");
            }
            await using var server = await ListeningServer.StartAsync(directory,
                new ListeningServerOptions { Host = parse.GetValue(host), Port = parse.GetValue(port),
                NewRaters = parse.GetValue(raters) }, cancellation);
            string size = server.Study.Design == ListeningDesign.Preference ? $"{server.Study.Trials.Count} comparisons"
                : $"{server.Study.Stimuli.Count} sounds";
            AnsiConsole.MarkupLine($"Listening test: [bold]{Markup.Escape(server.Url)}[/] ({size}). Ctrl-C stops; " +
                $"ratings are saved as they come.");
            if (parse.GetValue(host))
            {
                if (server.Tokens.Count == 0)
                    AnsiConsole.MarkupLine("[yellow]No invitations yet: run again with --raters N to create links.[/]");
                foreach (var token in server.Tokens) AnsiConsole.WriteLine($"  {server.Url}/?token={token}");
            }
            try { await Task.Delay(Timeout.Infinite, cancellation); }
            catch (OperationCanceledException) { }
            AnsiConsole.MarkupLine($"Stopped. See the scores with: oneshot listen results {Markup.Escape(directory)}");
            return CliApp.Ok;
        });
        return command;
    }

    static Command BuildResults()
    {
        var command =
            new Command("results", "MOS ± 95% confidence interval per system (an A/B study: each model's preference " +
            "share with its 95% interval and sign-test p per pair), after screening out raters who fail the hidden " +
            "references; optional CSV of every answer.");
        var study = new Argument<string>("study") { Description = "Study folder." };
        var csv = new Option<string?>("--csv") { Description = "Write every rating to this CSV file." };
        var screen = new Option<double>("--screen-below")
            { Description = "Leave out raters whose mean rating of the real clips is below this.",
            DefaultValueFactory = _ => 3.0 };
        var screenChecks = new Option<double>("--screen-checks")
            { Description = "An A/B study: leave out raters who prefer the low-passed copy over the real clip in " +
            "more than this share of their checks.", DefaultValueFactory = _ => 0.15 };
        command.Arguments.Add(study);
        command.Options.Add(csv);
        command.Options.Add(screen);
        command.Options.Add(screenChecks);
        command.SetAction(parse =>
        {
            string directory = parse.GetValue(study)!;
            var loaded = ListeningStudy.Load(directory);
            string database = Path.Combine(directory, ListeningStudy.RatingsFile);
            if (!File.Exists(database))
                throw new OneshotException($"'{directory}' has no ratings yet; run `oneshot listen {directory}` and " +
                    $"invite raters.");
            if (loaded.Design == ListeningDesign.Preference)
            {
                PrintPreferences(loaded, new RatingStore(database, loaded.Stimuli.Select(s => s.Id)).AllChoices(),
                    parse.GetValue(screenChecks), parse.GetValue(csv));
                return CliApp.Ok;
            }
            var ratings = new RatingStore(database, loaded.Stimuli.Select(s => s.Id)).All();
            var result = MosStatistics.Compute(loaded, ratings, parse.GetValue(screen));
            var table = new Table().AddColumns("system", "MOS", "95% CI", "ratings", "raters");
            foreach (var s in result.Systems)
                table.AddRow(Markup.Escape(s.Name), F(s.Mean, "0.00"), double.IsFinite(s.ConfidenceHalfWidth)
                    ? $"± {F(s.ConfidenceHalfWidth, "0.00")}" : "—", $"{s.Ratings}", $"{s.Raters}");
            AnsiConsole.Write(table);
            int excluded = result.Raters.Count(r => r.Excluded);
            AnsiConsole.MarkupLine($"{result.Raters.Count} raters, {ratings.Count} ratings; {excluded} rater(s) left " +
                $"out for rating the real clips below {F(result.ScreenBelow, "0.0")} on average.");
            if (parse.GetValue(csv) is { } path)
            {
                AtomicFile.WriteAllText(path, MosStatistics.Csv(loaded, ratings, result));
                AnsiConsole.MarkupLine($"Wrote {Markup.Escape(path)}.");
            }
            return CliApp.Ok;
        });
        return command;
    }

    static void PrintPreferences(ListeningStudy study, IReadOnlyList<Choice> choices, double screenAbove,
        string? csvPath)
    {
        var result = PreferenceStatistics.Compute(study, choices, screenAbove);
        var table = new Table().AddColumns("trials", "first model", "second model", "first preferred", "95% CI",
            "choices", "sign test p");
        foreach (var p in result.Pairs)
            table.AddRow(p.Kind == TrialKind.Reconstruction ? "reconstructions (reference: the real clip)" : "samples",
                Markup.Escape(p.First), Markup.Escape(p.Second), F(100 * p.FirstShare, "0") + " %",
                double.IsFinite(p.Low) ? $"{F(100 * p.Low, "0")}–{F(100 * p.High, "0")} %" : "—", $"{p.Choices}",
                    F(p.PValue, "0.000"));
        AnsiConsole.Write(table);
        int excluded = result.Raters.Count(r => r.Excluded);
        AnsiConsole.MarkupLine($"{result.Raters.Count} raters, {choices.Count} choices; {excluded} rater(s) left out " +
            $"for preferring the low-passed copy over the real clip in more than {F(100 * screenAbove, "0")} % of " +
            $"their checks.");
        if (csvPath is not null)
        {
            AtomicFile.WriteAllText(csvPath, PreferenceStatistics.Csv(study, choices, result));
            AnsiConsole.MarkupLine($"Wrote {Markup.Escape(csvPath)}.");
        }
    }

    static string F(double value, string format) => double.IsFinite(value)
        ? value.ToString(format, CultureInfo.InvariantCulture) : "—";
}
