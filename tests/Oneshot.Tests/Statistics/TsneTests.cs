using Oneshot.Statistics;

namespace Oneshot.Tests.Statistics;

public class TsneTests
{
    [Fact]
    public void Clusters_far_apart_in_the_input_stay_apart_in_the_plane_and_a_seed_repeats_the_layout()
    {
        // Three clusters of 40 points in 16 dimensions, their centres 10 apart, each point 1 from its centre.
        var random = new Random(5);
        var centres = Enumerable.Range(0, 3)
            .Select(_ => Enumerable.Range(0, 16).Select(_ => (float)(random.NextDouble() * 10)).ToArray()).ToArray();
        var points = new List<float[]>();
        var cluster = new List<int>();
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 40; i++)
            {
                points.Add([.. centres[c].Select(v => v + (float)(random.NextDouble() - 0.5))]);
                cluster.Add(c);
            }
        var layout = Tsne.Embed(points, perplexity: 15, seed: 3);
        Assert.Equal(points.Count, layout.Length);
        Assert.All(layout, p => Assert.True(double.IsFinite(p[0]) && double.IsFinite(p[1])));
        // Every point's nearest neighbour in the plane is of its own cluster.
        for (int i = 0; i < layout.Length; i++)
        {
            int nearest = Enumerable.Range(0, layout.Length).Where(j => j != i)
                .MinBy(j => Math.Pow(layout[i][0] - layout[j][0], 2) + Math.Pow(layout[i][1] - layout[j][1], 2));
            Assert.Equal(cluster[i], cluster[nearest]);
        }
        // Clusters are separate: each cluster's spread is well below the distance between cluster means.
        var means = Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, 2)
            .Select(d => layout.Where((_, i) => cluster[i] == c).Average(p => p[d])).ToArray()).ToArray();
        double spread = Enumerable.Range(0, layout.Length)
            .Max(i =>
            Math.Sqrt(Math.Pow(layout[i][0] - means[cluster[i]][0], 2)
            + Math.Pow(layout[i][1] - means[cluster[i]][1], 2)));
        double gap = Enumerable.Range(0, 3).SelectMany(a =>
            Enumerable.Range(a + 1, 2 - a)
            .Select(b => Math.Sqrt(Math.Pow(means[a][0] - means[b][0], 2) + Math.Pow(means[a][1] - means[b][1], 2))))
            .Min();
        Assert.True(gap > 2 * spread, $"clusters overlap: closest means {gap:F1} apart, spread {spread:F1}");

        Assert.Equal(layout, Tsne.Embed(points, perplexity: 15, seed: 3));
    }

    [Fact]
    public void Input_affinities_are_symmetric_sum_to_one_and_keep_only_near_neighbours()
    {
        var random = new Random(2);
        var points = Enumerable.Range(0, 200)
            .Select(_ => Enumerable.Range(0, 7).Select(_ => (float)random.NextDouble()).ToArray()).ToList();
        var p = NeighbourAffinities.Build(points, perplexity: 5, new ParallelOptions { MaxDegreeOfParallelism = 2 });
        var entries = new Dictionary<(int, int), double>();
        for (int i = 0; i < points.Count; i++)
            for (int e = p.RowStart[i]; e < p.RowStart[i + 1]; e++)
            {
                Assert.NotEqual(i, p.Column[e]);
                Assert.True(p.Value[e] > 0);
                entries[(i, p.Column[e])] = p.Value[e];
            }
        Assert.Equal(1.0, entries.Values.Sum(), 9);
        foreach (var ((i, j), v) in entries) Assert.Equal(v, entries[(j, i)], 12);
        // A row holds its 15 nearest (3 × perplexity) and those that hold it among theirs: never the farthest point.
        double Distance(int a, int b) => points[a].Zip(points[b]).Sum(t => (t.First - t.Second) * (t.First - t.Second));
        int farthest = Enumerable.Range(1, points.Count - 1).MaxBy(j => Distance(0, j));
        Assert.False(entries.ContainsKey((0, farthest)));
        foreach (int j in Enumerable.Range(1, points.Count - 1).OrderBy(j => Distance(0, j)).Take(15))
            Assert.True(entries.ContainsKey((0, j)));
    }
}
