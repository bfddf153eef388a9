using static TorchSharp.torch;

namespace Oneshot.Evaluation;

/// <summary>How often a reconstruction's nearest original is its own source; SameClass: how often the
/// nearest original is at least of the same class (a snare for a snare), when the clips have classes,
/// and SameClassChance what a random original would give (Σ share², high when one class dominates).
/// SameInstrument: how often the nearest original is the same instrument of the same kit (its own
/// source, or another velocity layer or microphone of that drum), when the clips name instruments.
/// ByGroup: the same per group (kit), ranked among all originals, when there are several groups.</summary>
public sealed record IdentificationResult(double Top1, double Top5, double MedianRank, int Count,
    double? SameClass = null, double? SameClassChance = null,
                                          IReadOnlyDictionary<string, GroupIdentification>? ByGroup = null,
                                              double? SameInstrument = null)
{
    /// <summary>Top-1 accuracy of guessing: 1/n.</summary>
    public double Chance => 1.0 / Count;
}

/// <summary>What is known of each original, one entry per clip, each list optional: its class
/// ("snare"), its group (kit) and its instrument, unique across kits (e.g. "kit/Snare").</summary>
public sealed record ClipLabels(IReadOnlyList<string>? Classes = null, IReadOnlyList<string>? Groups = null,
    IReadOnlyList<string>? Instruments = null);

/// <summary>Identification of one group's clips (each still ranked among all the originals).</summary>
public sealed record GroupIdentification(int Count, double Top1, double MedianRank, double? SameInstrument = null);

/// <summary>
/// "Is the reconstruction recognisably the same sound?" as a number: rank every original by its
/// distance to a reconstruction (Euclidean, on <see cref="IdentificationSpectrogram"/> rows in
/// `oneshot eval`); rank 1 means the reconstruction is closer to its own source than to any other
/// clip of the set (other kits' snares and the same snare's other velocities included).
/// </summary>
public static class Identification
{
    public static IdentificationResult Score(EmbeddingMatrix originals, EmbeddingMatrix reconstructions,
        ClipLabels? labels = null)
    {
        var (classes, groups, instruments) = labels ?? new ClipLabels();
        if (classes is not null && classes.Count != originals.Count)
            throw new ArgumentException("one class per original", nameof(classes));
        if (groups is not null && groups.Count != originals.Count)
            throw new ArgumentException("one group per original", nameof(groups));
        if (instruments is not null && instruments.Count != originals.Count)
            throw new ArgumentException("one instrument per original", nameof(instruments));
        FrechetDistance.CheckShapes(originals, reconstructions);
        if (originals.Count != reconstructions.Count)
            throw new ArgumentException("one reconstruction per original", nameof(reconstructions));
        using var scope = NewDisposeScope();
        var distances = cdist(reconstructions.ToTensor(), originals.ToTensor());            // [recon, original]
        var own = distances.diagonal().unsqueeze(1);
        var ranks = distances.lt(own).sum(1).data<long>().Select(r => (int)r + 1).ToArray();   // per reconstruction
        int n = ranks.Length;
        var nearest = distances.argmin(1).data<long>().ToArray();
        double? sameClass = null, chance = null;
        if (classes is not null)
        {
            sameClass = nearest.Select((j, i) => classes[(int)j] == classes[i] ? 1.0 : 0.0).Average();
            chance = classes.GroupBy(c => c).Sum(g => Math.Pow(g.Count() / (double)n, 2));
        }
        // Ties with the own source count as found, as for top-1.
        bool[]? sameInstrument = instruments is null ? null
            : [.. Enumerable.Range(0, n).Select(i => ranks[i] == 1 || instruments[(int)nearest[i]] == instruments[i])];
        Dictionary<string, GroupIdentification>? byGroup = null;
        if (groups is not null && groups.Distinct().Count() > 1)
            byGroup = Enumerable.Range(0, n).GroupBy(i => groups[i]).OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(
                g => g.Key,
                g => new GroupIdentification(g.Count(), g.Count(i => ranks[i] == 1) / (double)g.Count(),
                    Median(g.Select(i => ranks[i])),
                    sameInstrument is null ? null : g.Count(i => sameInstrument[i]) / (double)g.Count()));
        return new IdentificationResult(ranks.Count(r => r == 1) / (double)n, ranks.Count(r => r <= 5) / (double)n,
            Median(ranks), n, sameClass, chance, byGroup,
                                        sameInstrument?.Count(s => s) / (double)n);
    }

    static double Median(IEnumerable<int> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
