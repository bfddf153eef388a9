using System.Globalization;
using System.Text;
using Oneshot.Statistics;

namespace Oneshot.Listening;

public sealed record SystemScore(string System, string Name, StimulusKind Kind, int Ratings, int Raters, double Mean,
    double Std, double ConfidenceHalfWidth);

public sealed record RaterScreening(long RaterId, int Ratings, double RealMean, bool Excluded);

public sealed record MosResult(IReadOnlyList<SystemScore> Systems, IReadOnlyList<RaterScreening> Raters,
    double ScreenBelow);

/// <summary>
/// Mean opinion scores (ITU-T P.800 absolute category rating, 1–5) per system with a 95% confidence
/// interval mean ± t₀.₉₇₅,ₙ₋₁ · s/√n, after post-screening: a rater whose mean rating of the hidden
/// real clips is below the threshold is not listening (or not trying) and is left out.
/// </summary>
public static class MosStatistics
{
    public static MosResult Compute(ListeningStudy study, IReadOnlyList<Rating> ratings, double screenBelow = 3.0)
    {
        var systemOf = study.Stimuli.ToDictionary(s => s.Id, s => s.System);
        var realSystems = study.Systems.Where(s => s.Kind == StimulusKind.Real).Select(s => s.Id).ToHashSet();
        var raters = ratings.GroupBy(r => r.RaterId).Select(g =>
        {
            var real = g.Where(r => systemOf.TryGetValue(r.Stimulus, out var s) && realSystems.Contains(s)).ToList();
            double realMean = real.Count > 0 ? real.Average(r => r.Score) : double.NaN;
            return new RaterScreening(g.Key, g.Count(), realMean, real.Count > 0 && realMean < screenBelow);
        }).OrderBy(r => r.RaterId).ToList();
        var kept = raters.Where(r => !r.Excluded).Select(r => r.RaterId).ToHashSet();

        var systems = study.Systems.Select(system =>
        {
            var scores = ratings.Where(r => kept.Contains(r.RaterId)
                && systemOf.GetValueOrDefault(r.Stimulus) == system.Id).ToList();
            int n = scores.Count;
            double mean = n > 0 ? scores.Average(r => r.Score) : double.NaN;
            double std = n > 1 ? Math.Sqrt(scores.Sum(r => (r.Score - mean) * (r.Score - mean)) / (n - 1)) : double.NaN;
            double half = n > 1 ? StudentT.Quantile(0.975, n - 1) * std / Math.Sqrt(n) : double.NaN;
            return new SystemScore(system.Id, system.Name, system.Kind, n,
                scores.Select(r => r.RaterId).Distinct().Count(), mean, std, half);
        }).ToList();
        return new MosResult(systems, raters, screenBelow);
    }

    /// <summary>Every rating as CSV: rater, stimulus, system, kind, score, time, and whether the rater was screened
    /// out.</summary>
    public static string Csv(ListeningStudy study, IReadOnlyList<Rating> ratings, MosResult result)
    {
        var excluded = result.Raters.Where(r => r.Excluded).Select(r => r.RaterId).ToHashSet();
        var csv = new StringBuilder("rater,stimulus,system,kind,score,created,rater_excluded\n");
        foreach (var r in ratings)
        {
            var stimulus = study.Stimuli.First(s => s.Id == r.Stimulus);
            var system = study.SystemOf(stimulus);
            csv.Append(CultureInfo.InvariantCulture, $"{r.RaterId},{r.Stimulus},{Quote(system.Id)}," +
                $"{system.Kind.ToString().ToLowerInvariant()},{r.Score},{r.Created:O}," +
                $"{(excluded.Contains(r.RaterId) ? 1 : 0)}\n");
        }
        return csv.ToString();
    }

    internal static string Quote(string text) => text.Contains(',')
        || text.Contains('"') ? $"\"{text.Replace("\"", "\"\"")}\"" : text;
}
