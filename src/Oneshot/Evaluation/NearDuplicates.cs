using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Evaluation;

/// <summary>Sounds that are one sound: each member's position in the input, and the largest distance among the pairs
/// that join them.</summary>
public sealed record DuplicateGroup(int[] Members, double LargestDistance);

/// <summary>
/// Near-duplicate one-shots — the same sound at another level, trimmed a little differently, or
/// re-encoded — found by comparing identification spectrograms (<see cref="IdentificationSpectrogram"/>:
/// relative to each clip's peak, floored 40 dB down), so level and a faint hiss do not count.
/// </summary>
/// <remarks>
/// The distance is the RMS difference between two spectrograms in units of 10 dB. Calibrated on 150
/// held-out drum clips (docs/benchmarks.md): a copy 9 dB quieter is at 0, with white noise at
/// −50 dBFS at 0.003 (median), re-encoded as 128 kbit/s MP3 at 0.011 (median; 0.15 at most), with
/// its first 3 ms cut at 0.047 (median); the nearest other clip at 0.18 (median; 0.08 for the
/// closest tenth, often another velocity layer of the same drum). <see cref="DefaultThreshold"/>
/// takes the first three and most re-encodings, and leaves almost every distinct sound out; an MP3
/// of a bright cymbal can land further (an open hi-hat at 128 kbit/s: 0.073), which a threshold of
/// 0.1 catches at the price of some velocity layers.
/// </remarks>
public static class NearDuplicates
{
    public const double DefaultThreshold = 0.05;
    const int Chunk = 512;

    /// <returns>Groups of two or more, joined through any pair within the threshold, closest first.</returns>
    public static List<DuplicateGroup> Find(EmbeddingMatrix spectrograms, double threshold = DefaultThreshold)
    {
        int n = spectrograms.Count;
        var pairs = new List<(int A, int B, double Distance)>();
        using (var scope = NewDisposeScope())
        {
            var all = spectrograms.ToTensor();
            var norms = all.Squared().sum(1);
            for (int start = 0; start < n; start += Chunk)
            {
                using var inner = NewDisposeScope();
                int rows = Math.Min(Chunk, n - start);
                var block = all.narrow(0, start, rows);
                // ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b, in chunks of rows so memory stays at Chunk × n distances.
                var squared = norms.narrow(0, start, rows).unsqueeze(1).Plus(norms.unsqueeze(0))
                    .Plus(block.matmul(all.t()).Times(-2)).ClampMin(0);
                double[] distances = squared.DividedBy(spectrograms.Dimensions).sqrt().contiguous().data<double>()
                    .ToArray();
                for (int r = 0; r < rows; r++)
                    for (int j = start + r + 1; j < n; j++)
                        if (distances[r * n + j] <= threshold) pairs.Add((start + r, j, distances[r * n + j]));
            }
        }
        // Union-find: a sound at two levels and re-encoded is one group of three.
        var parent = Enumerable.Range(0, n).ToArray();
        int Root(int i) { while (parent[i] != i) i = parent[i] = parent[parent[i]]; return i; }
        foreach (var (a, b, _) in pairs) parent[Root(a)] = Root(b);
        return [.. pairs.GroupBy(p => Root(p.A))
            .Select(g => new DuplicateGroup([.. g.SelectMany(p => new[] { p.A, p.B }).Distinct().Order()],
                g.Max(p => p.Distance)))
            .OrderBy(g => g.LargestDistance)];
    }
}
