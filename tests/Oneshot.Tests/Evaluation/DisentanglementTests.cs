using Oneshot.Evaluation;

namespace Oneshot.Tests.Evaluation;

public class DisentanglementTests
{
    /// <summary>Three independent uniform factors and a category, and 5-dimensional latents made from them.</summary>
    static (List<float[]> Latents, List<Factor> Factors) Made(Func<double[], float[]> latentOf, int count = 400,
        int seed = 1)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, count).Select(_ =>
            new[] { random.NextDouble(), random.NextDouble(), random.NextDouble(), random.Next(4) }).ToList();
        var factors = new List<Factor>
        {
            new("a", [.. values.Select(v => (double?)v[0])]),
            new("b", [.. values.Select(v => (double?)v[1])]),
            new("c", [.. values.Select(v => (double?)v[2])]),
            new("kind", [.. values.Select(v => (double?)v[3])], Categorical: true),
        };
        return ([.. values.Select(latentOf)], factors);
    }

    [Fact]
    public void One_dimension_per_factor_scores_near_one_and_a_rotation_scores_low()
    {
        var noise = new Random(9);
        var (axes, factors) =
            Made(v => [(float)v[0], (float)(v[1] * v[1]), (float)-v[2], (float)v[3], (float)noise.NextDouble()]);
        var aligned = Disentanglement.Score(axes, factors)!;
        Assert.True(aligned.Mig > 0.8, $"MIG {aligned.Mig}");
        Assert.True(aligned.Sap > 0.8, $"SAP {aligned.Sap}");
        Assert.True(aligned.Modularity > 0.9, $"modularity {aligned.Modularity}");
        Assert.True(aligned.Correlation > 0.99);           // b enters squared, c reversed: ranks are kept
        Assert.Equal([0, 1, 2, 3], aligned.Factors.Select(f => f.BestDimension));
        Assert.Null(aligned.Factors.Single(f => f.Name == "kind").RSquared);

        // The same factors, each spread over two dimensions at 45°: the same information, no axis owns one.
        var (mixed, sameFactors) =
            Made(v =>
            [(float)(v[0] + v[1]), (float)(v[0] - v[1]), (float)(v[2] + v[3] / 4.0), (float)(v[2] - v[3] / 4.0), 0f]);
        var rotated = Disentanglement.Score(mixed, sameFactors)!;
        Assert.True(rotated.Mig < 0.3 && rotated.Mig < aligned.Mig - 0.5, $"MIG {rotated.Mig}");
        Assert.True(rotated.Sap < 0.3, $"SAP {rotated.Sap}");
        Assert.True(rotated.Modularity < aligned.Modularity - 0.15,
            $"modularity {rotated.Modularity} against {aligned.Modularity}");
    }

    [Fact]
    public void Clips_without_a_value_are_left_out_and_a_factor_with_too_few_is_not_scored()
    {
        var (latents, factors) = Made(v => [(float)v[0], (float)v[1], (float)v[2], (float)v[3], 0f], count: 100);
        var sparse = new Factor("sparse", [.. factors[0].Values.Select((v, i) => i < 4 ? v : null)]);
        var scores = Disentanglement.Score(latents, [factors[0], sparse])!;
        Assert.Equal(["a"], scores.Factors.Select(f => f.Name));
        Assert.Null(Disentanglement.Score(latents, [sparse]));
        Assert.Equal(Math.Log(4), Disentanglement.Entropy([0, 1, 2, 3]), 9);
        Assert.Equal(Math.Log(2), Disentanglement.MutualInformation([0, 0, 1, 1], [5, 5, 7, 7], corrected: false), 9);
        Assert.Equal(0.0, Disentanglement.MutualInformation([0, 1, 0, 1], [5, 5, 7, 7], corrected: false), 9);
        // Independent codes: the plug-in estimate is biased up by about (bins − 1)²/2n; corrected, about none.
        var random = new Random(3);
        int[] x = [.. Enumerable.Range(0, 400).Select(_ => random.Next(10))],
            y = [.. Enumerable.Range(0, 400).Select(_ => random.Next(10))];
        double plugIn = Disentanglement.MutualInformation(x, y, corrected: false),
            corrected = Disentanglement.MutualInformation(x, y);
        Assert.True(plugIn > 0.05 && corrected < plugIn / 3, $"plug-in {plugIn}, corrected {corrected}");
    }
}
