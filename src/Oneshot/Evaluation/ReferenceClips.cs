using System.Text.Json;
using Oneshot.Audio;
using Oneshot.Data;
using Oneshot.Data.Recipes;

namespace Oneshot.Evaluation;

/// <summary>
/// The real clips every model is judged against, read and embedded once: the test split, the train
/// split (embedded a chunk at a time and never held whole: a big library's train split would not
/// fit in memory), and as many train clips as test clips ("seen") spread through it, with their
/// labels and identification spectrograms.
/// </summary>
sealed class ReferenceClips
{
    public required float[][] Test { get; init; }
    public required int TrainCount { get; init; }
    public required float[][] Seen { get; init; }
    /// <summary>Each test clip's class (else its group), for the latent plot.</summary>
    public required string[] TestPlotLabels { get; init; }
    public required ClipLabels TestLabels { get; init; }
    public required ClipLabels SeenLabels { get; init; }
    public required EmbeddingMatrix TestEmbeddings { get; init; }
    public required EmbeddingMatrix TrainEmbeddings { get; init; }
    public required EmbeddingMatrix SeenEmbeddings { get; init; }
    public required EmbeddingMatrix TestIdentity { get; init; }
    public required EmbeddingMatrix SeenIdentity { get; init; }
    /// <summary>Positions of the pitched clips (<see cref="PartialsKept.Pitched"/>), whose partials reconstructions
    /// should keep.</summary>
    public required int[] TestPitched { get; init; }
    public required int[] SeenPitched { get; init; }
    /// <summary>Qualities of the test clips to score disentanglement against: the named descriptors
    /// (meta.jsonl).</summary>
    public required IReadOnlyList<Factor> TestDescriptors { get; init; }
    /// <summary>Known generating factors of the test clips (labels named factor_*, as the synthetic recipe writes;
    /// empty otherwise).</summary>
    public required IReadOnlyList<Factor> TestFactors { get; init; }

    public static IReadOnlyList<int> SeenPositions(int trainCount, int testCount) =>
        Recipes.EvenlySpaced(Enumerable.Range(0, trainCount).ToArray(), testCount);

    /// <summary>The test clips scored: all, or at most <paramref name="maximum"/> evenly spaced over the split (0:
    /// all).</summary>
    public static int[] TestIndices(ClipStore store, int maximum) =>
        [.. Recipes.EvenlySpaced(store.IndicesOf("test"), maximum)];

    /// <param name="embed">Embeds clips (and counts them as done).</param>
    /// <param name="maximumTestClips">See <see cref="EvalRequest.TestClips"/>.</param>
    public static ReferenceClips Read(ClipStore store, Func<IReadOnlyList<float[]>, EmbeddingMatrix> embed,
        int maximumTestClips = 0)
    {
        var testIndices = TestIndices(store, maximumTestClips);
        var trainIndices = store.IndicesOf("train");
        var test = testIndices.Select(store.Read).ToArray();
        // Reconstructing clips the model has seen beside ones it has not tells fitting from generalising.
        var seenPositions = SeenPositions(trainIndices.Length, test.Length);
        var seen = seenPositions.Select(i => store.Read(trainIndices[i])).ToArray();
        var testEmbeddings = embed(test);
        var trainEmbeddings = EmbedInChunks(store, trainIndices, embed);
        return new ReferenceClips
        {
            Test = test, TrainCount = trainIndices.Length, Seen = seen,
            TestPlotLabels = [.. testIndices.Select(i => DatasetLabels.Plotted(store.Meta[i]))],
            TestLabels = DatasetLabels.Of(store, testIndices),
            SeenLabels = DatasetLabels.Of(store, [.. seenPositions.Select(i => trainIndices[i])]),
            TestEmbeddings = testEmbeddings,
            TrainEmbeddings = trainEmbeddings,
            SeenEmbeddings = trainEmbeddings.Rows(seenPositions),
            TestIdentity = IdentificationSpectrogram.Of(test, store.SampleRate),
            SeenIdentity = IdentificationSpectrogram.Of(seen, store.SampleRate),
            TestPitched = PartialsKept.Pitched(test, store.SampleRate),
            SeenPitched = PartialsKept.Pitched(seen, store.SampleRate),
            TestDescriptors =
                [.. NamedDescriptor.All.Select(d =>
                new Factor(d.Name, [.. testIndices.Select(i => d.Scaled(store.Meta[i].Descriptors))]))],
            TestFactors = KnownFactors(store, testIndices),
        };
    }

    /// <summary>Labels named factor_* that every test clip has: numbers as scales, strings as categories.</summary>
    static List<Factor> KnownFactors(ClipStore store, int[] indices)
    {
        var names = indices.Length == 0 ? [] : store.Meta[indices[0]].Labels.Keys.Where(k =>
            k.StartsWith(DatasetFormat.FactorPrefix, StringComparison.Ordinal)).ToList();
        var factors = new List<Factor>();
        foreach (string name in names)
        {
            var labels = indices.Select(i => store.Meta[i].Labels.GetValueOrDefault(name)).ToList();
            string shortName = name[DatasetFormat.FactorPrefix.Length..];
            if (labels.All(l => l.ValueKind == JsonValueKind.Number))
                factors.Add(new Factor(shortName, [.. labels.Select(l => (double?)l.GetDouble())]));
            else if (labels.All(l => l.ValueKind == JsonValueKind.String))
            {
                var categories = labels.Select(l => l.GetString()!).Distinct().Order(StringComparer.Ordinal)
                    .Select((c, k) => (c, k)).ToDictionary(p => p.c, p => (double)p.k);
                factors.Add(new Factor(shortName, [.. labels.Select(l => (double?)categories[l.GetString()!])],
                    Categorical: true));
            }
        }
        return factors;
    }

    const int Chunk = 256;

    static EmbeddingMatrix EmbedInChunks(ClipStore store, int[] indices, Func<IReadOnlyList<float[]>,
        EmbeddingMatrix> embed)
    {
        var parts = new List<EmbeddingMatrix>();
        for (int start = 0; start < indices.Length; start += Chunk)
            parts.Add(embed([.. indices.Skip(start).Take(Chunk).Select(store.Read)]));
        if (parts.Count == 1) return parts[0];
        int dimensions = parts[0].Dimensions;
        return new EmbeddingMatrix([.. parts.SelectMany(p => p.Values)], parts.Sum(p => p.Count), dimensions);
    }
}
