using System.Globalization;
using System.Text;
using Oneshot.Statistics;

namespace Oneshot.Listening;

/// <summary>How often one model's version was preferred over another's, in one kind of trial.</summary>
public sealed record PairPreference(TrialKind Kind, string First, string Second, int FirstWins, int SecondWins,
                                    double FirstShare, double Low, double High, double PValue)
{
    public int Choices => FirstWins + SecondWins;
}

/// <summary>A rater's check trials: how many they answered and how many times they preferred the degraded
/// copy.</summary>
public sealed record CheckScreening(long RaterId, int Choices, int Checks, int Failed, bool Excluded);

public sealed record PreferenceResult(IReadOnlyList<PairPreference> Pairs, IReadOnlyList<CheckScreening> Raters,
    double ScreenAbove);

/// <summary>
/// A/B preference shares per pair of models with a Wilson 95 % interval and a two-sided exact
/// binomial (sign) test against "no preference" (p = ½), after post-screening: a rater who prefers
/// a 1-kHz low-passed copy over the real clip itself in more than <c>screenAbove</c> of their check
/// trials is not listening and is left out (BS.1534's rule for the hidden reference, applied to
/// A/B). Choices are counted as independent, though one rater makes many: read a small p with that in mind.
/// </summary>
public static class PreferenceStatistics
{
    public static PreferenceResult Compute(ListeningStudy study, IReadOnlyList<Choice> choices,
        double screenAbove = 0.15)
    {
        var trials = study.Trials.ToDictionary(t => t.Id);
        var systemOf = study.Stimuli.ToDictionary(s => s.Id, s => study.SystemOf(s));
        string Chosen(Choice c) { var t = trials[c.Trial]; return c.Side == "a" ? t.A : t.B; }

        var known = choices.Where(c => trials.ContainsKey(c.Trial)).ToList();
        var raters = known.GroupBy(c => c.RaterId).Select(g =>
        {
            var checks = g.Where(c => trials[c.Trial].Kind == TrialKind.Check).ToList();
            int failed = checks.Count(c => systemOf[Chosen(c)].Kind == StimulusKind.Degraded);
            return new CheckScreening(g.Key, g.Count(), checks.Count, failed,
                checks.Count > 0 && failed > screenAbove * checks.Count);
        }).OrderBy(r => r.RaterId).ToList();
        var kept = raters.Where(r => !r.Excluded).Select(r => r.RaterId).ToHashSet();

        var pairs = new List<PairPreference>();
        foreach (var group in study.Trials.Where(t => t.Kind != TrialKind.Check)
                     .GroupBy(t => (t.Kind, Pair: Ordered(study, ModelOf(systemOf[t.A]), ModelOf(systemOf[t.B])))))
        {
            var ids = group.Select(t => t.Id).ToHashSet();
            var mine = known.Where(c => kept.Contains(c.RaterId) && ids.Contains(c.Trial)).ToList();
            int first = mine.Count(c => ModelOf(systemOf[Chosen(c)]) == group.Key.Pair.First);
            int second = mine.Count - first;
            var (low, high) = Wilson(first, mine.Count);
            pairs.Add(new PairPreference(group.Key.Kind, group.Key.Pair.First, group.Key.Pair.Second, first, second,
                mine.Count > 0 ? (double)first / mine.Count : double.NaN, low, high, SignTest(first, mine.Count)));
        }
        return new PreferenceResult(pairs.OrderBy(p => p.Kind).ToList(), raters, screenAbove);
    }

    /// <summary>The model a system belongs to: "drums/reconstruction" → "drums".</summary>
    static string ModelOf(ListeningSystem system) => system.Id[..system.Id.LastIndexOf('/')];

    /// <summary>A pair in the order the models appear in the study, so "first" is the same model in every
    /// row.</summary>
    static (string First, string Second) Ordered(ListeningStudy study, string x, string y)
    {
        int Rank(string model) =>
            study.Systems.ToList().FindIndex(s => s.Id.StartsWith(model + "/", StringComparison.Ordinal));
        return Rank(x) <= Rank(y) ? (x, y) : (y, x);
    }

    /// <summary>The Wilson score interval for a proportion, 95 %: never outside [0, 1], honest for few
    /// choices.</summary>
    public static (double Low, double High) Wilson(int successes, int trials)
    {
        if (trials == 0) return (double.NaN, double.NaN);
        const double z = 1.959963984540054;
        double p = (double)successes / trials, z2n = z * z / trials;
        double centre = (p + z2n / 2) / (1 + z2n);
        double half = z * Math.Sqrt(p * (1 - p) / trials + z2n / (4 * trials)) / (1 + z2n);
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>Two-sided exact binomial test of k successes in n against p = ½: twice the smaller tail, at most
    /// 1.</summary>
    public static double SignTest(int k, int n)
    {
        if (n == 0) return double.NaN;
        int extreme = Math.Min(k, n - k);
        double tail = 0;
        for (int i = 0; i <= extreme; i++)
            tail +=
                Math.Exp(StudentT.LogGamma(n + 1) - StudentT.LogGamma(i + 1) - StudentT.LogGamma(n - i
                + 1) - n * Math.Log(2));
        return Math.Min(1, 2 * tail);
    }

    /// <summary>Every choice as CSV: rater, trial, kind, the systems on each side, the one chosen, time, and whether
    /// the rater was screened out.</summary>
    public static string Csv(ListeningStudy study, IReadOnlyList<Choice> choices, PreferenceResult result)
    {
        var trials = study.Trials.ToDictionary(t => t.Id);
        string SystemOf(string stimulus) => study.SystemOf(study.Stimuli.First(s => s.Id == stimulus)).Id;
        var excluded = result.Raters.Where(r => r.Excluded).Select(r => r.RaterId).ToHashSet();
        var csv = new StringBuilder("rater,trial,kind,a_system,b_system,chosen_system,created,rater_excluded\n");
        foreach (var c in choices.Where(c => trials.ContainsKey(c.Trial)))
        {
            var t = trials[c.Trial];
            csv.Append(CultureInfo.InvariantCulture,
                $"{c.RaterId},{c.Trial},{t.Kind.ToString().ToLowerInvariant()},{Quote(SystemOf(t.A))}," +
                    $"{Quote(SystemOf(t.B))},{Quote(SystemOf(c.Side == "a" ? t.A : t.B))},{c.Created:O}," +
                    $"{(excluded.Contains(c.RaterId) ? 1 : 0)}\n");
        }
        return csv.ToString();
    }

    static string Quote(string text) => MosStatistics.Quote(text);
}
