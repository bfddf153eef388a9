using System.CommandLine;
using System.Globalization;
using Oneshot.Data;

namespace Oneshot.Cli.Commands;

/// <summary>The clip-shaping and split options shared by `data prepare`, `data recipe` and `quickstart`.</summary>
public sealed class PrepareOptionSet
{
    static readonly PrepareOptions Defaults = new();

    public readonly Option<string> Out = new("--out", "-o")
        { Description = "Dataset folder to write.", Required = true };
    public readonly Option<bool> Force = new("--force") { Description = "Replace an existing dataset in --out." };
    public readonly Option<int> SampleRate = new("--sample-rate")
        { Description = "Sample rate of the clips (Hz).", DefaultValueFactory = _ => Defaults.SampleRate };
    public readonly Option<int> Length = new("--length")
        { Description = "Clip length in samples (1–3 s; 65536 ≈ 1.49 s at 44.1 kHz).",
        DefaultValueFactory = _ => Defaults.ClipLength };
    public readonly Option<double> TrimDb = new("--trim-db")
        { Description = "Trim leading audio quieter than this, in dB below the sound's peak.",
        DefaultValueFactory = _ => Defaults.TrimThresholdDb };
    public readonly Option<double> SilenceDb = new("--silence-db")
        { Description = "Skip sounds whose peak is below this (dBFS) as silent.",
        DefaultValueFactory = _ => Defaults.SilenceThresholdDb };
    public readonly Option<Normalization> Normalize = new("--normalize")
        { Description = "Level each clip by its peak, its loudness (BS.1770), or not at all.",
        DefaultValueFactory = _ => Defaults.Normalization };
    public readonly Option<double> PeakDb = new("--peak-db")
        { Description = "Peak after peak normalisation; ceiling for loudness normalisation (dBFS).",
        DefaultValueFactory = _ => Defaults.PeakDb };
    public readonly Option<double> LoudnessLufs = new("--loudness")
        { Description = "Target loudness for --normalize loudness (LUFS).",
        DefaultValueFactory = _ => Defaults.LoudnessLufs };
    public readonly Option<double> MinSeconds = new("--min-seconds")
        { Description = "Skip sources shorter than this (seconds).",
        DefaultValueFactory = _ => Defaults.MinSourceSeconds };
    public readonly Option<double> Fade = new("--fade")
        { Description = "Fade-out at the end of the kept sound (seconds).",
        DefaultValueFactory = _ => Defaults.FadeOutSeconds };
    public readonly Option<string> Split = new("--split")
        { Description = "Train, valid and test fractions, by group.", DefaultValueFactory = _ => "0.8,0.1,0.1" };
    public readonly Option<int> Seed = new("--seed")
        { Description = "Seed for the split (and for generated sounds).", DefaultValueFactory = _ => Defaults.Seed };
    public readonly Option<int> Threads = new("--threads")
        { Description = "Worker threads (0 = all cores).", DefaultValueFactory = _ => 0 };

    public void AddTo(Command command, bool withOut = true)
    {
        if (withOut) { command.Options.Add(Out); command.Options.Add(Force); }
        foreach (Option option in new Option[] { SampleRate, Length, TrimDb, SilenceDb, Normalize, PeakDb, LoudnessLufs,
            MinSeconds, Fade, Split, Seed, Threads })
            command.Options.Add(option);
    }

    public PrepareOptions Read(ParseResult parse, GroupRule groupBy = GroupRule.Folder)
    {
        var fractions = ParseSplit(parse.GetValue(Split)!);
        return new PrepareOptions
        {
            SampleRate = parse.GetValue(SampleRate),
            ClipLength = parse.GetValue(Length),
            TrimThresholdDb = parse.GetValue(TrimDb),
            SilenceThresholdDb = parse.GetValue(SilenceDb),
            Normalization = parse.GetValue(Normalize),
            PeakDb = parse.GetValue(PeakDb),
            LoudnessLufs = parse.GetValue(LoudnessLufs),
            MinSourceSeconds = parse.GetValue(MinSeconds),
            FadeOutSeconds = parse.GetValue(Fade),
            TrainFraction = fractions[0],
            ValidFraction = fractions[1],
            TestFraction = fractions[2],
            Seed = parse.GetValue(Seed),
            GroupBy = groupBy,
            Threads = parse.GetValue(Threads),
        };
    }

    static double[] ParseSplit(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        if (parts.Length != 3
            || parts.Select((p, i) =>
            double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])).Any(ok => !ok))
            throw new OneshotException($"--split '{text}' must be three comma-separated fractions for train, valid " +
                $"and test, e.g. 0.8,0.1,0.1.");
        return values;
    }

    /// <summary>Parses lists like "0,4,11" and ranges with an optional step, "36-84:3" (for --programs, --pitches,
    /// --velocities).</summary>
    public static List<int> ParseIntegerList(string text, string optionName)
    {
        var values = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var stepParts = part.Split(':', StringSplitOptions.TrimEntries);
            var range = stepParts[0].Split('-', StringSplitOptions.TrimEntries);
            int step = 1, from = 0, to = 0;
            bool ok = stepParts.Length <= 2
                && (stepParts.Length == 1
                    || (int.TryParse(stepParts[1], CultureInfo.InvariantCulture, out step) && step > 0))
                && range.Length is 1 or 2
                && int.TryParse(range[0], CultureInfo.InvariantCulture, out from)
                && int.TryParse(range[^1], CultureInfo.InvariantCulture, out to)
                && from <= to;
            if (!ok)
                throw new OneshotException($"{optionName} '{text}': '{part}' is not a number or a range like 36-84 " +
                    $"or 36-84:3.");
            for (int v = from; v <= to; v += step) values.Add(v);
        }
        if (values.Count == 0) throw new OneshotException($"{optionName} is empty.");
        return values;
    }
}
