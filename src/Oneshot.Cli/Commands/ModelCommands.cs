using System.CommandLine;
using Oneshot.Audio;
using Oneshot.Cli.Output;
using Oneshot.Data;
using Oneshot.Generation;
using Oneshot.Model;
using Oneshot.Prior;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot encode | decode | reconstruct | sample`: using a trained model.</summary>
public static class ModelCommands
{
    static Argument<string> ModelArgument() => new("model") { Description = "Model directory (from `oneshot train`)." };

    /// <summary>For commands a producer runs first: the model may be left out, and the shipped one plays.</summary>
    static Argument<string?> OptionalModelArgument() => new("model")
    {
        Description = "Model directory (from `oneshot train`); left out, the model shipped with Oneshot " +
            "(models/drums).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    static Argument<string[]> FilesArgument() => new("files")
    {
        Description = "Audio files, folders (searched recursively) or .txt list files; any supported format and " +
            "sample rate.",
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>Shared by encode, reconstruct, play (dropped files) and eval: gradient steps on each latent after the
    /// encoder.</summary>
    internal static Option<int> RefineOption(int defaultSteps) => new("--refine")
    {
        Description = "Refine each latent by this many gradient steps towards a closer reconstruction (0 = the " +
            "encoder's latent alone). "
            + "Helps most with sounds unlike the training set; each step costs a decoder pass forward and back (30 " +
                "steps: about 2.5 s per sound on 2 cores).",
        DefaultValueFactory = _ => defaultSteps,
    };

    /// <summary>Shared by every command that runs the model over many clips.</summary>
    internal static Option<int> BatchSizeOption() => new("--batch-size")
    {
        Description = "Clips encoded, decoded or refined at once: raise it to feed a GPU; on a CPU 8 is as fast as " +
            "any.",
        DefaultValueFactory = _ => 8,
    };

    /// <summary>The encoder's latents, refined when asked, with a bar for the refining (a line per 10 % in
    /// logs).</summary>
    internal static async Task<float[][]> EncodeRefinedAsync(ModelRunner runner, IReadOnlyList<float[]> clips,
        int refineSteps)
    {
        if (refineSteps <= 0) return runner.EncodeRefined(clips, refineSteps);   // negative: its error, no bar
        int done = 0;
        return await ProgressDisplay.RunAsync($"Refining {clips.Count} latents ({refineSteps} steps)", "clips",
            report => runner.EncodeRefined(clips, refineSteps, n => report(done += n, clips.Count)));
    }

    public static IEnumerable<Command> Build() => [BuildEncode(), BuildDecode(), BuildReconstruct(), BuildSample()];

    static Command BuildEncode()
    {
        var command =
            new Command("encode", "Encode audio files to latent vectors: OUT.npy (float32 [count, N]) and OUT.jsonl " +
            "(the file of each row).");
        var model = ModelArgument();
        var batchSize = BatchSizeOption();
        var device = DeviceChoice.Option();
        var files = FilesArgument();
        var output = new Option<string>("--out", "-o")
            { Description = "Output name (OUT.npy and OUT.jsonl).", DefaultValueFactory = _ => "latents" };
        var refine = RefineOption(LatentRefiner.DefaultSteps);
        command.Arguments.Add(model);
        command.Options.Add(batchSize);
        command.Options.Add(device);
        command.Arguments.Add(files);
        command.Options.Add(output);
        command.Options.Add(refine);
        command.SetAction(async (parse, _) =>
        {
            using var runner = new ModelRunner(parse.GetValue(model)!, DeviceChoice.Resolve(parse, device))
                { BatchSize = parse.GetValue(batchSize) };
            var (clips, sources) = PrepareInputs(runner, parse.GetValue(files)!);
            var latents = await EncodeRefinedAsync(runner, clips, parse.GetValue(refine));
            LatentFile.Write(parse.GetValue(output)!, latents, sources);
            var (npy, jsonl) = LatentFile.Paths(parse.GetValue(output)!);
            AnsiConsole.MarkupLine($"Encoded [bold]{latents.Length}[/] clips to {Markup.Escape(npy)} " +
                $"({runner.LatentSize} values each) and {Markup.Escape(jsonl)}.");
            return CliApp.Ok;
        });
        return command;
    }

    static Command BuildDecode()
    {
        var command = new Command("decode", "Decode latent vectors (a .npy of [count, N]) to WAV files.");
        var model = ModelArgument();
        var batchSize = BatchSizeOption();
        var device = DeviceChoice.Option();
        var latentsPath = new Argument<string>("latents")
            { Description = "Latents file (.npy from `oneshot encode` or `oneshot sample`)." };
        var output = new Option<string>("--out", "-o")
            { Description = "Folder for the WAV files.", DefaultValueFactory = _ => "decoded" };
        command.Arguments.Add(model);
        command.Options.Add(batchSize);
        command.Options.Add(device);
        command.Arguments.Add(latentsPath);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            using var runner = new ModelRunner(parse.GetValue(model)!, DeviceChoice.Resolve(parse, device))
                { BatchSize = parse.GetValue(batchSize) };
            var (latents, sources) = LatentFile.Read(parse.GetValue(latentsPath)!);
            var audio = runner.Decode(latents);
            var names = Names(sources, latents.Length, "latent");
            string folder = parse.GetValue(output)!;
            WriteWavs(folder, names, audio, runner.SampleRate);
            AnsiConsole.MarkupLine($"Decoded [bold]{audio.Length}[/] latents to WAV files in {Markup.Escape(folder)}.");
            return CliApp.Ok;
        });
        return command;
    }

    static Command BuildReconstruct()
    {
        var command =
            new Command("reconstruct", "Encode and decode audio files: hear what the model keeps of each sound.");
        var inputs = new Argument<string[]>("model-and-files")
        {
            Description = "[MODEL] FILES…: a model directory (from `oneshot train`; left out, the shipped model), " +
                "then audio files, folders "
                + "(searched recursively) or .txt list files; any supported format and sample rate.",
            Arity = ArgumentArity.OneOrMore,
        };
        var batchSize = BatchSizeOption();
        var device = DeviceChoice.Option();
        var output = new Option<string>("--out", "-o")
            { Description = "Folder for NAME.wav (reconstruction) and NAME.original.wav (the prepared input).",
            DefaultValueFactory = _ => "reconstructed" };
        var refine = RefineOption(LatentRefiner.DefaultSteps);
        command.Arguments.Add(inputs);
        command.Options.Add(batchSize);
        command.Options.Add(device);
        command.Options.Add(output);
        command.Options.Add(refine);
        command.SetAction(async (parse, _) =>
        {
            var (modelDirectory, files) = SplitModelAndFiles(parse.GetValue(inputs)!);
            using var runner = new ModelRunner(modelDirectory, DeviceChoice.Resolve(parse, device))
                { BatchSize = parse.GetValue(batchSize) };
            var (clips, sources) = PrepareInputs(runner, files);
            var audio = runner.Decode(await EncodeRefinedAsync(runner, clips, parse.GetValue(refine)));
            var names = Names(sources, clips.Count, "clip");
            string folder = parse.GetValue(output)!;
            WriteWavs(folder, names, audio, runner.SampleRate);
            WriteWavs(folder, names.Select(n => n + ".original").ToArray(), clips.ToArray(), runner.SampleRate);
            AnsiConsole.MarkupLine($"Reconstructed [bold]{audio.Length}[/] clips into {Markup.Escape(folder)} " +
                $"(NAME.wav, beside NAME.original.wav).");
            return CliApp.Ok;
        });
        return command;
    }

    static Command BuildSample()
    {
        var command =
            new Command("sample", "Generate new sounds: latents drawn from the prior, decoded to WAV (and saved as " +
            "latents.npy).");
        var model = OptionalModelArgument();
        var batchSize = BatchSizeOption();
        var device = DeviceChoice.Option();
        var count = new Option<int>("--count", "-n") { Description = "How many sounds.", DefaultValueFactory = _ => 8 };
        var temperature = new Option<double>("--temperature", "-t")
            { Description = "Scale of the prior's spread (1 = as trained; lower = safer, higher = wilder).",
            DefaultValueFactory = _ => 1.0 };
        var seed = new Option<long>("--seed")
            { Description = "Random seed; the same seed gives the same sounds.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out", "-o")
            { Description = "Folder for the WAV files and latents.npy.", DefaultValueFactory = _ => "samples" };
        var prior = new Option<string>("--prior")
            { Description = "auto: the prior fitted by `oneshot prior train` when the model has one, else N(0, I); " +
            "standard: N(0, I); trained: the fitted prior.", DefaultValueFactory = _ => "auto" };
        prior.AcceptOnlyFromAmong("auto", "standard", "trained");
        command.Arguments.Add(model);
        command.Options.Add(batchSize);
        command.Options.Add(device);
        foreach (Option option in new Option[] { count, temperature, seed, output, prior }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            using var runner = new ModelRunner(ShippedModel.Or(parse.GetValue(model)),
                DeviceChoice.Resolve(parse, device)) { BatchSize = parse.GetValue(batchSize) };
            bool trained = parse.GetValue(prior) switch { "trained" => true, "standard" => false,
                _ => runner.HasTrainedPrior };
            string source = trained
                ? $"prior {PriorFile.ReadConfig(runner.Directory).Kind.ToString().ToLowerInvariant()} " +
                $"(prior.json)" : "prior N(0, I)";
            var latents = runner.SampleLatents(parse.GetValue(count), parse.GetValue(temperature), parse.GetValue(seed),
                trained);
            var audio = runner.Decode(latents);
            string folder = parse.GetValue(output)!;
            var names = Enumerable.Range(0, latents.Length).Select(i => $"sample-{i:D4}").ToArray();
            string settings = $"{source}, temperature {parse.GetValue(temperature)}, seed {parse.GetValue(seed)}";
            WriteWavs(folder, names, audio, runner.SampleRate);
            LatentFile.Write(Path.Combine(folder, "latents"), latents, names.Select(n => $"{settings}: {n}").ToArray());
            AnsiConsole.MarkupLine($"Wrote [bold]{audio.Length}[/] samples to {Markup.Escape(folder)} " +
                $"({Markup.Escape(settings)}).");
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>A leading model directory, else the shipped model; the rest are the inputs.</summary>
    internal static (string Model, string[] Files) SplitModelAndFiles(string[] arguments)
    {
        if (ModelDirectory.Exists(arguments[0]))
        {
            if (arguments.Length == 1)
                throw new OneshotException($"'{arguments[0]}' is a model; name the audio files or folders to " +
                    $"reconstruct after it.");
            return (arguments[0], arguments[1..]);
        }
        return (ShippedModel.Or(null), arguments);
    }

    /// <summary>Reads and prepares every input; a file that cannot be used stops with its name and reason.</summary>
    static (List<float[]> Clips, List<string> Sources) PrepareInputs(ModelRunner runner, string[] inputs)
    {
        var found = InputScanner.Scan(inputs, GroupRule.File);
        foreach (var skipped in found.Where(s => s.SkipReason is not null))
            AnsiConsole.MarkupLine($"[yellow]Skipped[/] {Markup.Escape(skipped.Key)}: " +
                $"{Markup.Escape(skipped.SkipReason!)}.");
        var sources = found.Where(s => s.SkipReason is null).ToList();
        if (sources.Count == 0) throw new OneshotException($"No audio files found in {string.Join(", ", inputs)}.");
        var clips = new List<float[]>();
        foreach (var source in sources) clips.Add(runner.PrepareFile(source.Key));
        return (clips, sources.Select(s => s.Key).ToList());
    }

    /// <summary>File stems from the sources (made unique), or PREFIX-0000 when unknown.</summary>
    static string[] Names(IReadOnlyList<string>? sources, int count, string prefix)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return Enumerable.Range(0, count).Select(i =>
        {
            string stem = sources is null ? $"{prefix}-{i:D4}" : Path.GetFileNameWithoutExtension(sources[i]);
            if (string.IsNullOrWhiteSpace(stem) || stem.Contains(':')) stem = $"{prefix}-{i:D4}";
            string name = stem;
            for (int k = 2; !used.Add(name); k++) name = $"{stem}-{k}";
            return name;
        }).ToArray();
    }

    static void WriteWavs(string folder, IReadOnlyList<string> names, float[][] audio, int sampleRate)
    {
        Directory.CreateDirectory(folder);
        for (int i = 0; i < audio.Length; i++)
            WavWriter.Write(Path.Combine(folder, names[i] + ".wav"), OutputLevel.Fitted(audio[i]), sampleRate);
    }
}
