using System.Text.Json;
using System.Text.Json.Serialization;
using Oneshot.Evaluation.Report;

namespace Oneshot.Listening;

/// <summary>What a stimulus is: the hidden real-clip anchor, a reconstruction, or a generated clip.</summary>
public enum StimulusKind { Real, Reconstruction, Generated }

public sealed record ListeningSystem(string Id, string Name, StimulusKind Kind);

public sealed record Stimulus(string Id, string System, string File);

/// <summary>
/// A MOS study folder: study.json (systems and stimuli), stimuli/*.wav, ratings.db. Made from an
/// `oneshot eval` report, so the listening test hears exactly what the metrics measured.
/// </summary>
public sealed record ListeningStudy
{
    public const string StudyFile = "study.json";
    public const string StimuliFolder = "stimuli";
    public const string RatingsFile = "ratings.db";

    public string Format { get; init; } = "oneshot-listening-study";
    public int Version { get; init; } = 1;
    public string Title { get; init; } = "";
    public required IReadOnlyList<ListeningSystem> Systems { get; init; }
    public required IReadOnlyList<Stimulus> Stimuli { get; init; }
    /// <summary>Stimuli of the optional training page (also in the test): a real clip and a generated one, named as such.</summary>
    public IReadOnlyList<Stimulus> Training { get; init; } = [];
    public DateTimeOffset Created { get; init; }

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, StudyFile));

    public static ListeningStudy Load(string directory)
    {
        string path = Path.Combine(directory, StudyFile);
        if (!File.Exists(path)) throw new OneshotException($"'{directory}' is not a listening study (no {StudyFile}); create one with `oneshot listen {directory} --from REPORT`.");
        try
        {
            var study = JsonSerializer.Deserialize<ListeningStudy>(File.ReadAllText(path), Json) ?? throw new OneshotException($"'{path}' is empty.");
            foreach (var s in study.Stimuli.Concat(study.Training))
                if (!File.Exists(Path.Combine(directory, StimuliFolder, s.File)))
                    throw new OneshotException($"'{path}' names stimulus '{s.File}', which is missing from {Path.Combine(directory, StimuliFolder)}.");
            return study;
        }
        catch (JsonException e)
        {
            throw new OneshotException($"'{path}' is not a valid study file: {e.Message}", e);
        }
    }

    /// <summary>
    /// Builds a study from an eval report folder: every real example as the hidden anchor, every
    /// model's reconstructions, and its samples from each prior. Stimuli get opaque ids, so file
    /// names do not give the system away to a rater who looks at the page source.
    /// </summary>
    public static ListeningStudy CreateFromReport(string studyDirectory, string reportDirectory, int seed = 1)
    {
        string metrics = Path.Combine(reportDirectory, EvaluationReport.JsonFile);
        if (!File.Exists(metrics)) throw new OneshotException($"--from '{reportDirectory}' is not an eval report (no {EvaluationReport.JsonFile}); run `oneshot eval` first.");
        if (Exists(studyDirectory)) throw new OneshotException($"'{studyDirectory}' already holds a study; pick another folder (its ratings are kept).");
        var report = EvaluationReport.Read(metrics);
        var sources = new List<(ListeningSystem System, string[] Files)> { (new ListeningSystem("real", "real clips (hidden anchor)", StimulusKind.Real), report.RealExamples) };
        foreach (var m in report.Models)
        {
            sources.Add((new ListeningSystem($"{m.Name}/reconstruction", $"{m.Name} · reconstruction", StimulusKind.Reconstruction), m.Reconstruction.Examples));
            foreach (var g in m.Generation)
                sources.Add((new ListeningSystem($"{m.Name}/{g.Prior}-prior", $"{m.Name} · {(g.Prior == "standard" ? "N(0, I) prior" : $"trained prior ({g.PriorKind})")}", StimulusKind.Generated), g.Examples));
        }
        if (sources.Any(s => s.Files.Length == 0)) throw new OneshotException($"The report in '{reportDirectory}' has a system without audio examples; run `oneshot eval` with --examples 1 or more.");

        string stimuliDirectory = Path.Combine(studyDirectory, StimuliFolder);
        Directory.CreateDirectory(stimuliDirectory);
        var random = new Random(seed);
        var stimuli = new List<Stimulus>();
        foreach (var (system, files) in sources)
            foreach (var (file, index) in files.Select((f, i) => (f, i)))
            {
                string source = Path.Combine(reportDirectory, file);
                if (!File.Exists(source)) throw new OneshotException($"The report names '{source}', which is missing.");
                string id = Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64()))[..12];
                File.Copy(source, Path.Combine(stimuliDirectory, id + ".wav"));
                stimuli.Add(new Stimulus(id, system.Id, id + ".wav"));
            }
        // Familiarisation: a real clip and a generated one, labelled as such on the training page.
        var training = new List<Stimulus> { stimuli.First(s => s.System == "real") };
        var firstGenerated = sources.FirstOrDefault(s => s.System.Kind == StimulusKind.Generated).System;
        if (firstGenerated is not null) training.Add(stimuli.First(s => s.System == firstGenerated.Id));
        var study = new ListeningStudy
        {
            Title = $"Oneshot listening test ({report.Models.Count} model{(report.Models.Count == 1 ? "" : "s")})",
            Systems = sources.Select(s => s.System).ToArray(),
            Stimuli = stimuli,
            Training = training,
            Created = DateTimeOffset.Now,
        };
        AtomicFile.WriteAllText(Path.Combine(studyDirectory, StudyFile), JsonSerializer.Serialize(study, Json));
        return study;
    }

    public ListeningSystem SystemOf(Stimulus stimulus) => Systems.First(s => s.Id == stimulus.System);

    /// <summary>The order one rater hears the stimuli in: a shuffle seeded by the rater, so a reload gives the same order.</summary>
    public IReadOnlyList<Stimulus> OrderFor(long raterId)
    {
        var order = Stimuli.ToArray();
        new Random(Seeds.MixInt(raterId, 0x11575)).Shuffle(order);
        return order;
    }
}
