using Oneshot.Audio;
using Oneshot.Evaluation;
using Oneshot.Evaluation.Report;
using Oneshot.Listening;
using Oneshot.Statistics;

namespace Oneshot.Tests.Listening;

public class ListeningTests
{
    /// <summary>A study of real clips and two systems, built like `oneshot listen --from REPORT` from a minimal report.</summary>
    internal static (ListeningStudy Study, string Directory) MakeStudy(TempDir dir, int perSystem = 3, int clipLength = 4000)
    {
        string report = dir.File("report");
        Directory.CreateDirectory(report);
        string[] Write(string folder, double frequency)
        {
            Directory.CreateDirectory(Path.Combine(report, "audio", folder));
            return Enumerable.Range(0, perSystem).Select(i =>
            {
                string relative = $"audio/{folder}/{i + 1:00}.wav";
                WavWriter.Write(Path.Combine(report, relative), Signals.Sine(frequency * (i + 1), 8000, clipLength, 0.3), 8000);
                return relative;
            }).ToArray();
        }
        var comparison = DistributionComparison.Compute(
            new EmbeddingMatrix(Enumerable.Range(0, 40).Select(i => Math.Sin(i * 1.3)).ToArray(), 20, 2),
            new EmbeddingMatrix(Enumerable.Range(0, 40).Select(i => Math.Cos(i * 0.7)).ToArray(), 20, 2), new DistributionOptions { KidSubsets = 2 });
        var model = new ModelEvaluation("m", "/nowhere", "tiny", true,
            new ReconstructionSummary(3, 1, 1, 1, 1, 1, new IdentificationResult(1, 1, 1, 3), comparison, Write("m/reconstructions", 300)),
            new ReconstructionSummary(3, 1, 1, 1, 1, 1, new IdentificationResult(1, 1, 1, 3), comparison, []),
            new LatentSummary(1, 1, new() { ["standard"] = 1 }),
            [new GenerationSummary("standard", "standard", 3, 1, 1, 1, comparison, comparison, Write("m/standard-prior", 500))], null);
        var result = new EvaluationResult("logmel-stats", "/data", "h", 3, 3, 3, 1, 1, new DistributionOptions(), comparison, Write("real", 200), [], [model], DateTimeOffset.Now);
        EvaluationReport.Write(report, result);
        string studyDirectory = dir.File("study");
        return (ListeningStudy.CreateFromReport(studyDirectory, report), studyDirectory);
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
        Assert.Contains("already holds a study", Assert.Throws<OneshotException>(() => ListeningStudy.CreateFromReport(directory, dir.File("report"))).Message);
        Assert.Contains("not an eval report", Assert.Throws<OneshotException>(() => ListeningStudy.CreateFromReport(dir.File("s2"), dir.File("nothing"))).Message);
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
}
