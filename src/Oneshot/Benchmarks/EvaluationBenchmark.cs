using System.Diagnostics;
using Oneshot.Evaluation;


namespace Oneshot.Benchmarks;

public sealed record EvaluationSpeed(string Embedder, int Count, int ClipLength, double EmbedMsPerClip,
                                     double FadSeconds, double FadInfinitySeconds, double KidSeconds,
                                         double ManifoldSeconds, double VendiSeconds, double NdbSeconds)
{
    public double ScoringSeconds => FadSeconds + FadInfinitySeconds + KidSeconds + ManifoldSeconds + VendiSeconds
        + NdbSeconds;
}

/// <summary>`oneshot bench --eval-clips N`: embedding N + N synthetic one-shots and scoring one set against the
/// other.</summary>
public static class EvaluationBenchmark
{
    public static EvaluationSpeed Run(IAudioEmbedder embedder, int count, int clipLength, int sampleRate, Action<double,
        double>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        int embedded = 0;
        EmbeddingMatrix EmbedSet(long offset)
        {
            var rows = new List<double[]>();
            for (int start = 0; start < count; start += 16)
            {
                int size = Math.Min(16, count - start);
                var batch = TrainingBenchmark.SyntheticBatch(offset + start, size, clipLength, sampleRate);
                var clips = Enumerable.Range(0, size)
                    .Select(i => batch.Samples.AsSpan(i * clipLength, clipLength).ToArray()).ToList();
                var e = embedder.Embed(clips, sampleRate);
                for (int i = 0; i < size; i++) rows.Add(e.Row(i).ToArray());
                embedded += size;
                progress?.Invoke(embedded, 2.0 * count);
            }
            return EmbeddingMatrix.FromRows(rows);
        }
        var a = EmbedSet(0);
        var b = EmbedSet(1_000_000);                         // other seeds: a second, similar set
        double embedMs = clock.Elapsed.TotalMilliseconds / (2.0 * count);

        double Time(Action action)
        {
            var watch = Stopwatch.StartNew();
            action();
            return watch.Elapsed.TotalSeconds;
        }
        var options = new DistributionOptions();
        return new EvaluationSpeed(embedder.Name, count, clipLength, embedMs,
            Time(() => FrechetDistance.Between(a, b)),
            Time(() => FrechetDistance.Extrapolate(a, b, options.Seed, options.FadInfinitySteps,
                options.FadInfinityMinimumSize)),
            Time(() => KernelDistance.Between(a, b, options.Seed, options.KidSubsets)),
            Time(() => ManifoldMetrics.Compare(a, b)),
            Time(() => { VendiScore.Of(a); VendiScore.Of(b); }),
            Time(() => DifferentBins.Compare(a, b, options.Seed)));
    }
}
