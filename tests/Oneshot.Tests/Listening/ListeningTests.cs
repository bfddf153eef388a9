using Oneshot.Audio;
using Oneshot.Evaluation;
using Oneshot.Evaluation.Report;
using Oneshot.Listening;
using Oneshot.Statistics;

namespace Oneshot.Tests.Listening;

public class ListeningTests
{
    /// <summary>A study of real clips and two systems, built like `oneshot listen --from REPORT` from a minimal
    /// report.</summary>
    internal static (ListeningStudy Study, string Directory) MakeStudy(TempDir dir, int perSystem = 3,
        int clipLength = 4000, int models = 1, ListeningDesign design = ListeningDesign.Acr)
    {
        string report = dir.File("report");
        Directory.CreateDirectory(report);
        string[] Write(string folder, double frequency)
        {
            Directory.CreateDirectory(Path.Combine(report, "audio", folder));
            return Enumerable.Range(0, perSystem).Select(i =>
            {
                string relative = $"audio/{folder}/{i + 1:00}.wav";
                WavWriter.Write(Path.Combine(report, relative),
                    Signals.Sine(frequency * (i + 1), 8000, clipLength, 0.3), 8000);
                return relative;
            }).ToArray();
        }
        var comparison = DistributionComparison.Compute(
            new EmbeddingMatrix(Enumerable.Range(0, 40).Select(i => Math.Sin(i * 1.3)).ToArray(), 20, 2),
            new EmbeddingMatrix(Enumerable.Range(0, 40).Select(i => Math.Cos(i * 0.7)).ToArray(), 20, 2),
                new DistributionOptions { KidSubsets = 2 });
        ModelEvaluation Model(string name, double pitch) => new(name, "/nowhere", "tiny", true,
            new ReconstructionSummary(3, 1, 1, 1, 1, 1, new IdentificationResult(1, 1, 1, 3), comparison,
                Write($"{name}/reconstructions", 300 * pitch)),
            new ReconstructionSummary(3, 1, 1, 1, 1, 1, new IdentificationResult(1, 1, 1, 3), comparison, []),
            new LatentSummary(1, 1, new() { ["standard"] = 1 }),
            [new GenerationSummary("standard", "standard", 3, 1, 1, 1, comparison, comparison,
                Write($"{name}/standard-prior", 500 * pitch))], null);
        var systems = Enumerable.Range(0, models).Select(i => Model(i == 0 ? "m" : $"m{i + 1}", 1 + 0.1 * i)).ToList();
        var result = new EvaluationResult("logmel-stats", "/data", "h", 3, 3, 3, 1, 1, new DistributionOptions(),
            comparison, Write("real", 200), [], systems, DateTimeOffset.Now);
        EvaluationReport.Write(report, result);
        string studyDirectory = dir.File("study");
        return (ListeningStudy.CreateFromReport(studyDirectory, report, design: design), studyDirectory);
    }

    [Fact]
    public void A_study_from_a_report_holds_every_system_under_opaque_names()
    {
        using var dir = new TempDir();
        var (study, directory) = MakeStudy(dir);
        Assert.Equal(["real", "m/reconstruction", "m/standard-prior"], study.Systems.Select(s => s.Id).ToArray());
        Assert.Equal(9, study.Stimuli.Count);
        Assert.All(study.Stimuli, s => Assert.Matches("^[0-9a-f]{12}\\.wav$", s.File));
        Assert.Equal(2, study.Training.Count);
        var loaded = ListeningStudy.Load(directory);
        Assert.Equal(study.Stimuli, loaded.Stimuli);
        // Each rater has an order of their own, the same after a reload.
        Assert.Equal(loaded.OrderFor(1), loaded.OrderFor(1));
        Assert.NotEqual(loaded.OrderFor(1).Select(s => s.Id), loaded.OrderFor(2).Select(s => s.Id));
        Assert.Contains("already holds a study", Assert.Throws<OneshotException>(() =>
            ListeningStudy.CreateFromReport(directory, dir.File("report"))).Message);
        Assert.Contains("not an eval report", Assert.Throws<OneshotException>(() =>
            ListeningStudy.CreateFromReport(dir.File("s2"), dir.File("nothing"))).Message);
    }

    [Fact]
    public void Ratings_are_stored_once_and_checked()
    {
        using var dir = new TempDir();
        var store = new RatingStore(dir.File("r.db"), ["a", "b"]);
        var rater = store.CreateRater();
        Assert.Equal(RatingOutcome.NotServed, store.Rate(rater.Id, "a", 4, played: true));   // its audio was never sent
        store.MarkServed(rater.Id, "a");
        store.MarkServed(rater.Id, "b");
        Assert.Equal(RatingOutcome.Stored, store.Rate(rater.Id, "a", 4, played: true));
        Assert.Equal(RatingOutcome.AlreadyRated, store.Rate(rater.Id, "a", 1, played: true));
        Assert.Equal(4, store.RatingsBy(rater.Id).Single().Score);
        Assert.Equal(RatingOutcome.NotPlayed, store.Rate(rater.Id, "b", 3, played: false));
        Assert.Equal(RatingOutcome.InvalidScore, store.Rate(rater.Id, "b", 6, played: true));
        Assert.Equal(RatingOutcome.UnknownStimulus, store.Rate(rater.Id, "../../etc/passwd", 3, played: true));
        Assert.Equal(RatingOutcome.UnknownRater, store.Rate(999, "b", 3, played: true));
        Assert.Equal("tok", store.FindRaterByToken(store.CreateRater("tok").Token!)!.Token);
    }

    [Fact]
    public async Task Many_raters_at_once_lose_no_rating()
    {
        using var dir = new TempDir();
        var stimuli = Enumerable.Range(0, 30).Select(i => $"s{i}").ToArray();
        var store = new RatingStore(dir.File("r.db"), stimuli);
        const int raters = 24;
        await Task.WhenAll(Enumerable.Range(0, raters).Select(r => Task.Run(() =>
        {
            var rater = store.CreateRater();
            foreach (var s in stimuli)
            {
                store.MarkServed(rater.Id, s);
                Assert.Equal(RatingOutcome.Stored, store.Rate(rater.Id, s, 1 + (r + s.Length) % 5, played: true));
                Assert.Equal(RatingOutcome.AlreadyRated, store.Rate(rater.Id, s, 2, played: true));   // a double click
            }
        })));
        var all = new RatingStore(dir.File("r.db"), stimuli).All();
        Assert.Equal(raters * stimuli.Length, all.Count);
        Assert.Equal(raters, all.Select(r => r.RaterId).Distinct().Count());
    }

    [Fact]
    public void Student_t_quantiles_match_the_tables()
    {
        Assert.Equal(12.7062, StudentT.Quantile(0.975, 1), 3);
        Assert.Equal(2.2281, StudentT.Quantile(0.975, 10), 3);
        Assert.Equal(2.0423, StudentT.Quantile(0.975, 30), 3);
        Assert.Equal(1.9623, StudentT.Quantile(0.975, 1000), 3);
        Assert.Equal(-2.2281, StudentT.Quantile(0.025, 10), 3);
        Assert.Equal(0.5, StudentT.Cdf(0, 7), 12);
    }

    [Fact]
    public void Mos_has_a_t_interval_and_screens_raters_who_rate_real_clips_low()
    {
        using var dir = new TempDir();
        var (study, _) = MakeStudy(dir);
        string Of(string system, int i) => study.Stimuli.Where(s => s.System == system).ElementAt(i).Id;
        var ratings = new List<Rating>();
        var now = DateTimeOffset.Now;
        // Raters 1 and 2 rate real clips 5 and 4, generated 2 and 3; rater 3 rates real clips 1 (not listening).
        for (int i = 0; i < 3; i++)
        {
            ratings.Add(new(1, Of("real", i), 5, now)); ratings.Add(new(1, Of("m/standard-prior", i), 2, now));
            ratings.Add(new(2, Of("real", i), 4, now)); ratings.Add(new(2, Of("m/standard-prior", i), 3, now));
            ratings.Add(new(3, Of("real", i), 1, now)); ratings.Add(new(3, Of("m/standard-prior", i), 5, now));
        }
        var result = MosStatistics.Compute(study, ratings);
        Assert.True(result.Raters.Single(r => r.RaterId == 3).Excluded);
        Assert.DoesNotContain(result.Raters, r => r.RaterId != 3 && r.Excluded);
        var real = result.Systems.Single(s => s.System == "real");
        Assert.Equal(6, real.Ratings);
        Assert.Equal(4.5, real.Mean, 12);
        double std = Math.Sqrt(6 * 0.25 / 5);
        Assert.Equal(StudentT.Quantile(0.975, 5) * std / Math.Sqrt(6), real.ConfidenceHalfWidth, 9);
        Assert.Equal(2.5, result.Systems.Single(s => s.System == "m/standard-prior").Mean, 12);
        Assert.Equal(0, result.Systems.Single(s => s.System == "m/reconstruction").Ratings);
        string csv = MosStatistics.Csv(study, ratings, result);
        Assert.Equal(19, csv.Trim().Split('\n').Length);
        Assert.Contains(",real,real,1,", csv);
    }

    [Fact]
    public void A_preference_study_pairs_the_models_versions_of_each_clip_and_checks_every_real_clip()
    {
        using var dir = new TempDir();
        var (study, directory) = MakeStudy(dir, perSystem: 3, models: 3, design: ListeningDesign.Preference);
        var system = study.Stimuli.ToDictionary(s => s.Id, s => s.System);
        // 3 checks, then per pair of the 3 models (3 pairs) 3 reconstruction and 3 sample trials.
        Assert.Equal(3, study.Trials.Count(t => t.Kind == TrialKind.Check));
        Assert.Equal(9, study.Trials.Count(t => t.Kind == TrialKind.Reconstruction));
        Assert.Equal(9, study.Trials.Count(t => t.Kind == TrialKind.Generated));
        foreach (var t in study.Trials)
        {
            Assert.NotEqual(t.A, t.B);
            switch (t.Kind)
            {
                case TrialKind.Check:
                    // The real clip against its own low-passed copy, with itself as the reference.
                    Assert.Equal("real", system[t.Reference!]);
                    Assert.Contains(t.Reference, new[] { t.A, t.B });
                    Assert.Equal("real/low-pass-1khz", system[t.A == t.Reference ? t.B : t.A]);
                    break;
                case TrialKind.Reconstruction:
                    // Two models' reconstructions of the same example, in the report's order, the example as reference.
                    int index = study.Stimuli.Where(s => s.System == "real").ToList()
                        .FindIndex(s => s.Id == t.Reference);
                    Assert.All(new[] { t.A, t.B }, side => Assert.Equal(index,
                        study.Stimuli.Where(s => s.System == system[side]).ToList().FindIndex(s => s.Id == side)));
                    Assert.All(new[] { t.A, t.B }, side => Assert.EndsWith("/reconstruction", system[side]));
                    break;
                default:
                    Assert.Null(t.Reference);
                    Assert.All(new[] { t.A, t.B }, side => Assert.EndsWith("/standard-prior", system[side]));
                    break;
            }
        }
        // Which model is A is drawn per trial, not always the first.
        Assert.Contains(study.Trials, t => t.Kind != TrialKind.Check
            && system[t.A].StartsWith("m/", StringComparison.Ordinal));
        Assert.Contains(study.Trials, t => t.Kind != TrialKind.Check
            && system[t.B].StartsWith("m/", StringComparison.Ordinal));
        // The check's copy is the filtered clip, not the clip: a 200-Hz sine passes a 1-kHz low-pass nearly whole,
        // changed in phase.
        var check = study.Trials.First(t => t.Kind == TrialKind.Check);
        string copy = check.A == check.Reference ? check.B : check.A;
        float[] Read(string id) => WavReader.Read(Path.Combine(directory, ListeningStudy.StimuliFolder, id + ".wav"))
            .ToMono();
        double Rms(float[] x) => Math.Sqrt(x.Average(v => (double)v * v));
        Assert.NotEqual(Read(copy), Read(check.Reference!));
        Assert.InRange(Rms(Read(copy)) / Rms(Read(check.Reference!)), 0.8, 1.1);

        var loaded = ListeningStudy.Load(directory);
        Assert.Equal(ListeningDesign.Preference, loaded.Design);
        Assert.Equal(study.Trials, loaded.Trials);
        Assert.Equal(loaded.TrialOrderFor(7), loaded.TrialOrderFor(7));
        Assert.NotEqual(loaded.TrialOrderFor(7).Select(t => t.Id), loaded.TrialOrderFor(8).Select(t => t.Id));
        // One model has nothing to compare with.
        using var other = new TempDir();
        Assert.Contains("compares models two by two", Assert.Throws<OneshotException>(() =>
            MakeStudy(other, models: 1, design: ListeningDesign.Preference)).Message);
    }

    [Fact]
    public void A_choice_needs_every_sound_of_its_trial_sent_and_is_stored_once()
    {
        using var dir = new TempDir();
        var (study, directory) = MakeStudy(dir, perSystem: 2, models: 2, design: ListeningDesign.Preference);
        var store = new RatingStore(Path.Combine(directory, ListeningStudy.RatingsFile),
            study.Stimuli.Select(s => s.Id));
        var rater = store.CreateRater();
        var trial = study.Trials.First(t => t.Reference is not null && t.Kind == TrialKind.Reconstruction);
        store.MarkServed(rater.Id, trial.A);
        store.MarkServed(rater.Id, trial.B);
        // the reference was never heard
        Assert.Equal(RatingOutcome.NotServed, store.Choose(rater.Id, trial, "a", played: true));
        store.MarkServed(rater.Id, trial.Reference!);
        Assert.Equal(RatingOutcome.NotPlayed, store.Choose(rater.Id, trial, "a", played: false));
        Assert.Equal(RatingOutcome.InvalidScore, store.Choose(rater.Id, trial, "c", played: true));
        Assert.Equal(RatingOutcome.UnknownStimulus, store.Choose(rater.Id, null, "a", played: true));
        Assert.Equal(RatingOutcome.UnknownRater, store.Choose(999, trial, "a", played: true));
        Assert.Equal(RatingOutcome.Stored, store.Choose(rater.Id, trial, "b", played: true));
        Assert.Equal(RatingOutcome.AlreadyRated, store.Choose(rater.Id, trial, "a", played: true));
        var stored = Assert.Single(store.ChoicesBy(rater.Id));
        Assert.Equal((trial.Id, "b"), (stored.Trial, stored.Side));
    }

    [Fact]
    public void Preference_shares_have_a_wilson_interval_a_sign_test_and_screen_raters_who_prefer_the_degraded_copy()
    {
        // Textbook values: 8 of 10 → Wilson 95 % [0.490, 0.943]; two-sided sign test p = 2 · 56/1024.
        var (low, high) = PreferenceStatistics.Wilson(8, 10);
        Assert.Equal(0.4902, low, 3);
        Assert.Equal(0.9433, high, 3);
        Assert.Equal(0.109375, PreferenceStatistics.SignTest(8, 10), 9);
        Assert.Equal(1.0, PreferenceStatistics.SignTest(5, 10), 9);
        Assert.Equal(2.0 / 1024, PreferenceStatistics.SignTest(10, 10), 12);

        using var dir = new TempDir();
        var (study, _) = MakeStudy(dir, perSystem: 3, models: 2, design: ListeningDesign.Preference);
        var system = study.Stimuli.ToDictionary(s => s.Id, s => study.SystemOf(s));
        string SideOf(PreferenceTrial t, Func<ListeningSystem, bool> wanted) => wanted(system[t.A]) ? "a" : "b";
        var now = DateTimeOffset.Now;
        var choices = new List<Choice>();
        foreach (var t in study.Trials)
        {
            // Raters 1 and 2 pass every check and prefer "m2" on reconstructions, "m" on samples; rater 3 prefers every
            // degraded copy and "m".
            bool check = t.Kind == TrialKind.Check;
            foreach (long rater in new long[] { 1, 2 })
            {
                string preferred = t.Kind == TrialKind.Reconstruction ? "m2/" : "m/";
                choices.Add(new(rater, t.Id, check ? SideOf(t, s => s.Kind == StimulusKind.Real)
                    : SideOf(t, s => s.Id.StartsWith(preferred, StringComparison.Ordinal)), now));
            }
            choices.Add(new(3, t.Id, check ? SideOf(t, s => s.Kind == StimulusKind.Degraded)
                : SideOf(t, s => s.Id.StartsWith("m/", StringComparison.Ordinal)), now));
        }
        var result = PreferenceStatistics.Compute(study, choices);
        Assert.Equal([false, false, true], result.Raters.Select(r => r.Excluded).ToArray());
        Assert.Equal(3, result.Raters[2].Failed);
        var reconstructions = result.Pairs.Single(p => p.Kind == TrialKind.Reconstruction);
        Assert.Equal(("m", "m2", 0, 6),
            (reconstructions.First, reconstructions.Second, reconstructions.FirstWins, reconstructions.SecondWins));
        Assert.Equal(2.0 / 64, reconstructions.PValue, 12);
        var samples = result.Pairs.Single(p => p.Kind == TrialKind.Generated);
        Assert.Equal((6, 0, 1.0), (samples.FirstWins, samples.SecondWins, samples.FirstShare));
        string csv = PreferenceStatistics.Csv(study, choices, result);
        Assert.Equal(1 + 3 * study.Trials.Count, csv.Trim().Split('\n').Length);
        Assert.Contains(",check,", csv);
    }
}
