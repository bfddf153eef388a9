using System.Text.Json;
using System.Text.Json.Serialization;
using Oneshot.Audio;
using Oneshot.Evaluation;
using Oneshot.Evaluation.Report;

namespace Oneshot.Listening;

/// <summary>What a stimulus is: the hidden real-clip anchor, a reconstruction, a generated clip, or a real clip
/// degraded on purpose (a preference study's check).</summary>
public enum StimulusKind { Real, Reconstruction, Generated, Degraded }

/// <summary>
/// What a rater does: rate each sound on its own (ACR, 1–5; ITU-T P.800), or hear two versions of the
/// same thing and choose the better (A/B preference, the real clip as reference where there is one).
/// </summary>
public enum ListeningDesign { Acr, Preference }

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
    /// <summary>Stimuli of the optional training page (also in the test): a real clip and a generated one, named as
    /// such.</summary>
    public IReadOnlyList<Stimulus> Training { get; init; } = [];
    public DateTimeOffset Created { get; init; }
    /// <summary>A study written before preference studies existed has no design: it is an ACR study.</summary>
    public ListeningDesign Design { get; init; } = ListeningDesign.Acr;
    /// <summary>A preference study's A/B trials; empty in an ACR study.</summary>
    public IReadOnlyList<PreferenceTrial> Trials { get; init; } = [];

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
        if (!File.Exists(path))
            throw new OneshotException($"'{directory}' is not a listening study (no {StudyFile}); create one with " +
                $"`oneshot listen {directory} --from REPORT`.");
        try
        {
            var study = JsonSerializer.Deserialize<ListeningStudy>(File.ReadAllText(path), Json)
                ?? throw new OneshotException($"'{path}' is empty.");
            foreach (var s in study.Stimuli.Concat(study.Training))
                if (!File.Exists(Path.Combine(directory, StimuliFolder, s.File)))
                    throw new OneshotException($"'{path}' names stimulus '{s.File}', which is missing from " +
                        $"{Path.Combine(directory, StimuliFolder)}.");
            var ids = study.Stimuli.Select(s => s.Id).ToHashSet();
            foreach (var t in study.Trials)
                if (new[] { t.Reference, t.A, t.B }.FirstOrDefault(id => id is not null
                    && !ids.Contains(id)) is { } unknown)
                    throw new OneshotException($"'{path}': trial '{t.Id}' names stimulus '{unknown}', which the " +
                        $"study does not hold.");
            return study;
        }
        catch (JsonException e)
        {
            throw new OneshotException($"'{path}' is not a valid study file: {e.Message}", e);
        }
    }

    /// <summary>
    /// Builds a study from an eval report folder. Stimuli get opaque ids, so file names do not give
    /// the system away to a rater who looks at the page source.
    /// <list type="bullet">
    /// <item>ACR: every real example as the hidden anchor, every model's reconstructions, and its samples from each
    /// prior.</item>
    /// <item>Preference: for every pair of models, each real example's two reconstructions against the example
    /// itself as reference, and their samples from the same prior side by side; plus one check trial per real
    /// example (the clip itself against it low-passed at 1 kHz), which tells a rater who is not listening.</item>
    /// </list>
    /// </summary>
    public static ListeningStudy CreateFromReport(string studyDirectory, string reportDirectory, int seed = 1,
        ListeningDesign design = ListeningDesign.Acr)
    {
        string metrics = Path.Combine(reportDirectory, EvaluationReport.JsonFile);
        if (!File.Exists(metrics))
            throw new OneshotException($"--from '{reportDirectory}' is not an eval report (no " +
                $"{EvaluationReport.JsonFile}); run `oneshot eval` first.");
        if (Exists(studyDirectory))
            throw new OneshotException($"'{studyDirectory}' already holds a study; pick another folder (its ratings " +
                $"are kept).");
        var report = EvaluationReport.Read(metrics);
        if (design == ListeningDesign.Preference && report.Models.Count < 2)
            throw new OneshotException($"A preference study compares models two by two, and the report in " +
                $"'{reportDirectory}' holds {report.Models.Count}; evaluate two or more together (`oneshot eval " +
                $"--models A B …`).");

        var real = new ListeningSystem("real", "real clips (hidden anchor)", StimulusKind.Real);
        var sources = new List<(ListeningSystem System, string[] Files)> { (real, report.RealExamples) };
        // In a preference study every model's samples come from the same kind of prior: the trained one if all have it.
        string sharedPrior = report.Models.All(m => m.Generation.Any(g => g.Prior == "trained")) ? "trained"
            : "standard";
        foreach (var m in report.Models)
        {
            sources.Add(
                (new ListeningSystem($"{m.Name}/reconstruction", $"{m.Name} · reconstruction",
                StimulusKind.Reconstruction), m.Reconstruction.Examples));
            foreach (var g in m.Generation.Where(g => design == ListeningDesign.Acr || g.Prior == sharedPrior))
                sources.Add(
                    (new ListeningSystem($"{m.Name}/{g.Prior}-prior", $"{m.Name} · " +
                    $"{(g.Prior == "standard" ? "N(0, I) prior" : $"trained prior ({g.PriorKind})")}",
                    StimulusKind.Generated), g.Examples));
        }
        if (sources.Any(s => s.Files.Length == 0))
            throw new OneshotException($"The report in '{reportDirectory}' has a system without audio examples; run " +
                $"`oneshot eval` with --examples 1 or more.");

        string stimuliDirectory = Path.Combine(studyDirectory, StimuliFolder);
        Directory.CreateDirectory(stimuliDirectory);
        var random = new Random(seed);
        string NewId() => Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64()))[..12];
        var stimuli = new List<Stimulus>();
        foreach (var (system, files) in sources)
            foreach (var file in files)
            {
                string source = Path.Combine(reportDirectory, file);
                if (!File.Exists(source)) throw new OneshotException($"The report names '{source}', which is missing.");
                string id = NewId();
                File.Copy(source, Path.Combine(stimuliDirectory, id + ".wav"));
                stimuli.Add(new Stimulus(id, system.Id, id + ".wav"));
            }

        var systems = sources.Select(s => s.System).ToList();
        var trials = new List<PreferenceTrial>();
        if (design == ListeningDesign.Preference)
        {
            var degraded = new ListeningSystem("real/low-pass-1khz", "real clips low-passed at 1 kHz (check)",
                StimulusKind.Degraded);
            systems.Add(degraded);
            var realStimuli = stimuli.Where(s => s.System == real.Id).ToList();
            foreach (var clip in realStimuli)
            {
                var audio = WavReader.Read(Path.Combine(stimuliDirectory, clip.File));
                string id = NewId();
                float[] mono = IdentificationYardsticks.Degrade("low-pass 1 kHz", audio.ToMono(), audio.SampleRate,
                    seed);
                WavWriter.Write(Path.Combine(stimuliDirectory, id + ".wav"), mono, audio.SampleRate);
                stimuli.Add(new Stimulus(id, degraded.Id, id + ".wav"));
                trials.Add(PreferenceTrial.Shuffled(NewId(), TrialKind.Check, clip.Id, clip.Id, id, random));
            }
            Stimulus[] Of(string system) => stimuli.Where(s => s.System == system).ToArray();
            for (int i = 0; i < report.Models.Count; i++)
                for (int j = i + 1; j < report.Models.Count; j++)
                {
                    string first = report.Models[i].Name, second = report.Models[j].Name;
                    var (x, y) = (Of($"{first}/reconstruction"), Of($"{second}/reconstruction"));
                    for (int k = 0; k < Math.Min(Math.Min(x.Length, y.Length), realStimuli.Count); k++)
                        trials.Add(PreferenceTrial.Shuffled(NewId(), TrialKind.Reconstruction, realStimuli[k].Id,
                            x[k].Id, y[k].Id, random));
                    (x, y) = (Of($"{first}/{sharedPrior}-prior"), Of($"{second}/{sharedPrior}-prior"));
                    for (int k = 0; k < Math.Min(x.Length, y.Length); k++)
                        trials.Add(PreferenceTrial.Shuffled(NewId(), TrialKind.Generated, null, x[k].Id, y[k].Id,
                            random));
                }
        }

        // Familiarisation: a real clip and a generated one, labelled as such on the training page.
        var training = new List<Stimulus> { stimuli.First(s => s.System == "real") };
        var firstGenerated = sources.FirstOrDefault(s => s.System.Kind == StimulusKind.Generated).System;
        if (firstGenerated is not null) training.Add(stimuli.First(s => s.System == firstGenerated.Id));
        var study = new ListeningStudy
        {
            Title = $"Oneshot listening test ({report.Models.Count} model{(report.Models.Count == 1 ? "" : "s")})",
            Design = design,
            Systems = systems,
            Stimuli = stimuli,
            Trials = trials,
            Training = training,
            Created = DateTimeOffset.Now,
        };
        AtomicFile.WriteAllText(Path.Combine(studyDirectory, StudyFile), JsonSerializer.Serialize(study, Json));
        return study;
    }

    public ListeningSystem SystemOf(Stimulus stimulus) => Systems.First(s => s.Id == stimulus.System);

    /// <summary>The order one rater hears the stimuli in: a shuffle seeded by the rater, so a reload gives the same
    /// order.</summary>
    public IReadOnlyList<Stimulus> OrderFor(long raterId)
    {
        var order = Stimuli.ToArray();
        new Random(Seeds.MixInt(raterId, 0x11575)).Shuffle(order);
        return order;
    }

    /// <summary>The order one rater meets a preference study's trials in, seeded by the rater as
    /// <see cref="OrderFor"/>.</summary>
    public IReadOnlyList<PreferenceTrial> TrialOrderFor(long raterId)
    {
        var order = Trials.ToArray();
        new Random(Seeds.MixInt(raterId, 0xAB7E57)).Shuffle(order);
        return order;
    }

    /// <summary>The ids a rater must be sent before choosing in a trial: its reference (if any) and both
    /// sides.</summary>
    public static IEnumerable<string> StimuliOf(PreferenceTrial trial) =>
        trial.Reference is null ? [trial.A, trial.B] : [trial.Reference, trial.A, trial.B];
}
