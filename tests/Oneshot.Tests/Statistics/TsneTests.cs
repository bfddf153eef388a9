using Oneshot.Statistics;

namespace Oneshot.Tests.Statistics;

public class TsneTests
{
    [Fact]
    public void Clusters_far_apart_in_the_input_stay_apart_in_the_plane_and_a_seed_repeats_the_layout()
    {
        // Three clusters of 40 points in 16 dimensions, their centres 10 apart, each point 1 from its centre.
        var random = new Random(5);
        var centres = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 16).Select(_ => (float)(random.NextDouble() * 10)).ToArray()).ToArray();
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
        var means = Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, 2).Select(d => layout.Where((_, i) => cluster[i] == c).Average(p => p[d])).ToArray()).ToArray();
        double spread = Enumerable.Range(0, layout.Length).Max(i => Math.Sqrt(Math.Pow(layout[i][0] - means[cluster[i]][0], 2) + Math.Pow(layout[i][1] - means[cluster[i]][1], 2)));
        double gap = Enumerable.Range(0, 3).SelectMany(a => Enumerable.Range(a + 1, 2 - a).Select(b => Math.Sqrt(Math.Pow(means[a][0] - means[b][0], 2) + Math.Pow(means[a][1] - means[b][1], 2)))).Min();
        Assert.True(gap > 2 * spread, $"clusters overlap: closest means {gap:F1} apart, spread {spread:F1}");

        Assert.Equal(layout, Tsne.Embed(points, perplexity: 15, seed: 3));
    }
}
