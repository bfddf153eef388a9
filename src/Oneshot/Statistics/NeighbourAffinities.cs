using System.Numerics;

namespace Oneshot.Statistics;

/// <summary>
/// t-SNE's symmetric input affinities p_ij = (p_j|i + p_i|j) / 2n over each point's k nearest
/// neighbours (k = 3 × perplexity), each row's Gaussian width set so its entropy is log(perplexity).
/// Stored by rows: row i's neighbours are <see cref="Column"/>[RowStart[i] .. RowStart[i + 1]).
/// </summary>
sealed class NeighbourAffinities
{
    public required int[] RowStart { get; init; }
    public required int[] Column { get; init; }
    public required double[] Value { get; init; }

    public static NeighbourAffinities Build(IReadOnlyList<float[]> points, double perplexity, ParallelOptions parallel)
    {
        int n = points.Count;
        int k = Math.Min(n - 1, (int)Math.Ceiling(3 * perplexity));
        var neighbours = new int[n][];
        var conditional = new double[n][];
        Parallel.For(0, n, parallel, i =>
        {
            var (indices, distances) = Nearest(points, i, k);
            neighbours[i] = indices;
            conditional[i] = GaussianRow(distances, Math.Log(perplexity));
        });

        // Symmetrise: every (i, j) from row i and from row j's side, summed.
        var rows = new Dictionary<int, double>[n];
        for (int i = 0; i < n; i++) rows[i] = new Dictionary<int, double>(2 * k);
        for (int i = 0; i < n; i++)
            for (int e = 0; e < k; e++)
            {
                int j = neighbours[i][e];
                double half = conditional[i][e] / (2.0 * n);
                rows[i][j] = rows[i].GetValueOrDefault(j) + half;
                rows[j][i] = rows[j].GetValueOrDefault(i) + half;
            }
        var rowStart = new int[n + 1];
        for (int i = 0; i < n; i++) rowStart[i + 1] = rowStart[i] + rows[i].Count;
        var column = new int[rowStart[n]];
        var value = new double[rowStart[n]];
        for (int i = 0; i < n; i++)
        {
            int e = rowStart[i];
            foreach (var (j, v) in rows[i].OrderBy(pair => pair.Key)) { column[e] = j; value[e++] = v; }
        }
        return new NeighbourAffinities { RowStart = rowStart, Column = column, Value = value };
    }

    /// <summary>The k points nearest point i (squared distances), nearest first.</summary>
    static (int[] Indices, double[] Distances) Nearest(IReadOnlyList<float[]> points, int i, int k)
    {
        var farthestFirst = new PriorityQueue<int, double>(k + 1, Comparer<double>.Create((a, b) => b.CompareTo(a)));
        var a = points[i];
        for (int j = 0; j < points.Count; j++)
        {
            if (j == i) continue;
            double d = SquaredDistance(a, points[j]);
            if (farthestFirst.Count < k) farthestFirst.Enqueue(j, d);
            else if (farthestFirst.TryPeek(out _, out double farthest) && d < farthest)
                farthestFirst.DequeueEnqueue(j, d);
        }
        var indices = new int[farthestFirst.Count];
        var distances = new double[farthestFirst.Count];
        for (int e = indices.Length - 1; e >= 0; e--) farthestFirst.TryDequeue(out indices[e], out distances[e]);
        return (indices, distances);
    }

    static double SquaredDistance(float[] a, float[] b)
    {
        int width = Vector<float>.Count, d = 0;
        var sum = Vector<float>.Zero;
        for (; d <= a.Length - width; d += width)
        {
            var t = new Vector<float>(a, d) - new Vector<float>(b, d);
            sum += t * t;
        }
        double total = Vector.Sum(sum);
        for (; d < a.Length; d++) { double t = a[d] - b[d]; total += t * t; }
        return total;
    }

    /// <summary>p_j|i over one row's neighbours: bisection on the precision β = 1 / 2σ² until the entropy is the
    /// target.</summary>
    static double[] GaussianRow(double[] distances, double targetEntropy)
    {
        double nearest = distances[0];   // shifted by it: the ratios are unchanged and nothing underflows
        var row = new double[distances.Length];
        double beta = 1, low = 0, high = double.PositiveInfinity;
        for (int attempt = 0; attempt < 64; attempt++)
        {
            double sum = 0, weighted = 0;
            for (int j = 0; j < row.Length; j++)
            {
                row[j] = Math.Exp(-beta * (distances[j] - nearest));
                sum += row[j];
                weighted += row[j] * (distances[j] - nearest);
            }
            double entropy = Math.Log(sum) + beta * weighted / sum;
            if (Math.Abs(entropy - targetEntropy) < 1e-5) break;
            if (entropy > targetEntropy)
            {
                low = beta;
                beta = double.IsPositiveInfinity(high) ? beta * 2 : (beta + high) / 2;
            }
            else { high = beta; beta = (beta + low) / 2; }
        }
        double total = row.Sum();
        for (int j = 0; j < row.Length; j++) row[j] /= total;
        return row;
    }
}
