using System.CommandLine;
using Oneshot.Cli.Output;
using Oneshot.Data;
using Oneshot.Data.Recipes;
using Oneshot.Evaluation;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot data prepare | recipe | info | dupes`.</summary>
public static class DataCommand
{
    public static Command Build()
    {
        var data = new Command("data", "Make and inspect datasets of fixed-length one-shot clips.");
        data.Subcommands.Add(BuildPrepare());
        data.Subcommands.Add(BuildRecipe());
        data.Subcommands.Add(BuildInfo());
        data.Subcommands.Add(BuildDupes());
        return data;
    }

    static Command BuildPrepare()
    {
        var command =
            new Command("prepare", "Turn folders of audio (or list files of paths) into a dataset directory.");
        var inputs = new Argument<string[]>("inputs")
            { Description = "Folders (searched recursively), audio files, or .txt list files with one path per line.",
            Arity = ArgumentArity.OneOrMore };
        var groupBy = new Option<GroupRule>("--group-by")
            { Description = "Which sounds stay together in one split: the parent folder, the first folder under the " +
            "input (a kit or pack), or each file.", DefaultValueFactory = _ => GroupRule.Folder };
        var options = new PrepareOptionSet();
        var resume = new Option<bool>("--resume")
            { Description = "Continue a preparation of --out that was interrupted (same inputs and options) instead " +
            "of starting over." };
        command.Arguments.Add(inputs);
        command.Options.Add(groupBy);
        command.Options.Add(resume);
        options.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var prepare = options.Read(parse, parse.GetValue(groupBy));
            prepare.Validate();
            string[] paths = parse.GetValue(inputs)!;
            var sources = InputScanner.Scan(paths, prepare.GroupBy);
            int unusable = sources.Count(s => s.SkipReason is not null);
            AnsiConsole.MarkupLine($"Found [bold]{sources.Count - unusable}[/] audio files in " +
                $"{Markup.Escape(string.Join(", ", paths))}" +
                (unusable > 0 ? $" ({unusable} more paths skipped: links to folders already searched, or not regular " +
                    $"files; see skipped.tsv)." : "."));
            string output = parse.GetValue(options.Out)!;
            PrepareResult result;
            try
            {
                result = await BuildAsync(sources, output, prepare, "files: "
                    + string.Join(" ", paths.Select(Path.GetFullPath)), parse.GetValue(options.Force), cancellation,
                    parse.GetValue(resume));
            }
            catch (OperationCanceledException) when (DatasetBuilder.InterruptedAt(output) is { } state)
            {
                AnsiConsole.MarkupLine($"[yellow]Stopped after {state.NextSource} of {state.Total} sounds; the same " +
                    $"command with --resume continues from there.[/]");
                throw;
            }
            DatasetReport.PrintPrepared(result);
            return CliApp.Ok;
        });
        return command;
    }

    static Command BuildRecipe()
    {
        var command =
            new Command("recipe", "Build a dataset from sounds available on this machine: drums (hydrogen-drumkits), " +
            "gm-drums (the General MIDI SoundFont's drum kits), notes (its instruments), synthetic (built in).");
        var name = new Argument<string>("name") { Description = "drums, gm-drums, notes or synthetic." };
        name.AcceptOnlyFromAmong(Recipes.Names);
        var perGroup = new Option<int>("--per-group")
            { Description = "drums/gm-drums/notes: at most this many sounds per kit or program (0 = all); handy for " +
            "a quick look.", DefaultValueFactory = _ => 0 };
        var count = new Option<int>("--count")
            { Description = "synthetic: how many sounds to generate.", DefaultValueFactory = _ => 400 };
        var defaults = new NotesSettings();
        var programs = new Option<string>("--programs")
            { Description = "notes: General MIDI programs (0–127), e.g. 0,24,40-47.",
            DefaultValueFactory = _ => string.Join(",", defaults.Programs) };
        var pitches = new Option<string>("--pitches")
            { Description = "notes: MIDI pitches, e.g. 36-84:3.", DefaultValueFactory = _ => "36-84:3" };
        var velocities = new Option<string>("--velocities")
            { Description = "notes: MIDI velocities.", DefaultValueFactory = _ =>
            string.Join(",", defaults.Velocities) };
        var root = new Option<string>("--drumkits") { Description = "drums: folder of Hydrogen drum kits.",
            DefaultValueFactory = _ => DrumsRecipe.DefaultRoot };
        var soundFont = new Option<string>("--soundfont")
            { Description = "gm-drums/notes: the SoundFont (.sf2) to render. gm-drums takes its General MIDI drum " +
            "kits, or every preset of a drum-kit SoundFont without a drum bank.",
            DefaultValueFactory = _ => NotesRecipe.DefaultSoundFont };
        var options = new PrepareOptionSet();
        command.Arguments.Add(name);
        foreach (Option option in new Option[] { perGroup, count, programs, pitches, velocities, root, soundFont })
            command.Options.Add(option);
        options.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var prepare = options.Read(parse);
            prepare.Validate();
            string recipe = parse.GetValue(name)!;
            NotesSettings? notes = recipe != "notes" ? null : new NotesSettings
            {
                Programs = PrepareOptionSet.ParseIntegerList(parse.GetValue(programs)!, "--programs"),
                Pitches = PrepareOptionSet.ParseIntegerList(parse.GetValue(pitches)!, "--pitches"),
                Velocities = PrepareOptionSet.ParseIntegerList(parse.GetValue(velocities)!, "--velocities"),
            };
            var request = new RecipeRequest(recipe, parse.GetValue(perGroup), parse.GetValue(count), notes,
                parse.GetValue(root)!, parse.GetValue(soundFont)!);
            var result = await RunRecipeAsync(request, parse.GetValue(options.Out)!, prepare,
                parse.GetValue(options.Force), cancellation);
            DatasetReport.PrintPrepared(result);
            return CliApp.Ok;
        });
        return command;
    }

    static Command BuildInfo()
    {
        var command =
            new Command("info", "Show what a dataset holds: counts per split, group and label; loudness and " +
            "descriptor statistics.");
        var directory = new Argument<string>("dataset") { Description = "Dataset folder." };
        var groups = new Option<bool>("--groups") { Description = "List every group with its split and clip count." };
        command.Arguments.Add(directory);
        command.Options.Add(groups);
        command.SetAction(parse =>
        {
            DatasetReport.PrintSummary(DatasetSummary.Load(parse.GetValue(directory)!), parse.GetValue(groups));
            return CliApp.Ok;
        });
        return command;
    }

    static Command BuildDupes()
    {
        var command =
            new Command("dupes", "List near-duplicate one-shots: the same sound at another level, trimmed a little " +
            "differently, or re-encoded.");
        var inputs = new Argument<string[]>("inputs")
            { Description = "Audio files, folders (searched recursively) or .txt list files.",
            Arity = ArgumentArity.OneOrMore };
        var threshold = new Option<double>("--threshold")
            { Description = "Largest spectrogram distance (RMS, in units of 10 dB) that counts as the same sound.",
            DefaultValueFactory = _ => NearDuplicates.DefaultThreshold };
        var json = new Option<string?>("--json") { Description = "Also write the groups as JSON to this file." };
        command.Arguments.Add(inputs);
        command.Options.Add(threshold);
        command.Options.Add(json);
        command.SetAction(async parse =>
        {
            double limit = parse.GetValue(threshold);
            if (!(limit >= 0)) throw new OneshotException($"--threshold {limit} must not be negative.");
            var found = InputScanner.Scan(parse.GetValue(inputs)!, GroupRule.File);
            var sources = found.Where(s => s.SkipReason is null).Select(s => s.Key).ToList();
            if (sources.Count == 0)
                throw new OneshotException($"No audio files found in {string.Join(", ", parse.GetValue(inputs)!)}.");
            var options = new PrepareOptions();
            var (clips, read) = await ProgressDisplay.RunAsync("Reading", "files", report =>
            {
                var clips = new List<float[]>();
                var read = new List<string>();
                foreach (string path in sources)
                {
                    try { clips.Add(ClipPreparation.PrepareFile(path, options)); read.Add(path); }
                    catch (OneshotException e)
                    {
                        AnsiConsole.MarkupLine($"[yellow]Skipped[/] {Markup.Escape(path)}: {Markup.Escape(e.Message)}");
                    }
                    report(read.Count, sources.Count);
                }
                return (clips, read);
            });
            if (clips.Count < 2)
                throw new OneshotException($"Near-duplicates need at least two readable files; found {clips.Count}.");
            var groups = NearDuplicates.Find(IdentificationSpectrogram.Of(clips, options.SampleRate), limit);
            foreach (var group in groups)
            {
                AnsiConsole.MarkupLine($"[bold]{group.Members.Length} as one sound[/] (distance up to " +
                    $"{group.LargestDistance:0.000}):");
                foreach (int member in group.Members) AnsiConsole.MarkupLine($"  {Markup.Escape(read[member])}");
            }
            AnsiConsole.MarkupLine(groups.Count == 0
                ? $"No near-duplicates among {read.Count} files (distance at most {limit})."
                : $"{groups.Count} groups, {groups.Sum(g => g.Members.Length)} of {read.Count} files (distance at " +
                    $"most {limit}).");
            if (parse.GetValue(json) is { } path)
                AtomicFile.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(
                    groups.Select(g =>
                        new { files = g.Members.Select(m => read[m]), largest_distance = g.LargestDistance }),
                        new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>Builds one of the recipes; shared with `quickstart`.</summary>
    public static async Task<PrepareResult> RunRecipeAsync(RecipeRequest request, string output, PrepareOptions prepare,
        bool force, CancellationToken cancellation)
    {
        using var recipe = Recipes.Open(request, prepare);
        if (recipe.Note != null) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(recipe.Note)}[/]");
        return await BuildAsync(recipe.Sources, output, prepare, recipe.Description, force, cancellation);
    }

    static Task<PrepareResult> BuildAsync(IReadOnlyList<ClipSource> sources, string output, PrepareOptions prepare,
        string description, bool force, CancellationToken cancellation,
        bool resume = false) =>
        ProgressDisplay.RunAsync("Preparing clips", "files", report =>
            DatasetBuilder.Build(sources, output, prepare, description, force,
                new Progress(p => report(p.Done, p.Total)), cancellation, resume));

    /// <summary>Calls back synchronously on the reporting thread (System.Progress would post to a pool).</summary>
    sealed class Progress(Action<PrepareProgress> callback) : IProgress<PrepareProgress>
    {
        public void Report(PrepareProgress value) => callback(value);
    }
}
