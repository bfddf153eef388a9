using Oneshot.Statistics;

namespace Oneshot.Tests.Statistics;

public class RidgeRegressionTests
{
    static (List<double[]> X, List<double> Y) Planted(int count, double[] weights, double noise, int seed)
    {
        var random = new Random(seed);
        double Normal() =>
            Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var x = new List<double[]>();
        var y = new List<double>();
        for (int i = 0; i < count; i++)
        {
            // Dimensions of different spreads and offsets, as latents have.
            var row = weights.Select((_, d) => 3.0 + (d + 1) * 0.5 * Normal()).ToArray();
            x.Add(row);
            y.Add(7 + row.Zip(weights).Sum(p => p.First * p.Second) + noise * Normal());
        }
        return (x, y);
    }

    [Fact]
    public void A_planted_linear_relation_is_found_and_predicts_new_points()
    {
        double[] weights = [0, 2, 0, -1, 0, 0, 0.5, 0];
        var (x, y) = Planted(400, weights, 0.1, seed: 1);
        var fit = RidgeRegression.Fit(x, y);
        for (int d = 0; d < weights.Length; d++) Assert.Equal(weights[d], fit.Weights[d], 1);
        var (newX, newY) = Planted(200, weights, 0.1, seed: 2);
        Assert.True(fit.RSquared(newX, newY) > 0.99);
        Assert.Equal(y.Average(), fit.Predict(fit.Mean), 9);
    }

    [Fact]
    public void Noise_alone_predicts_nothing_on_new_points_and_a_large_penalty_shrinks_the_weights()
    {
        var (x, y) = Planted(60, new double[8], 1.0, seed: 3);
        var fit = RidgeRegression.Fit(x, y);
        var (newX, newY) = Planted(300, new double[8], 1.0, seed: 4);
        Assert.InRange(fit.RSquared(newX, newY), -0.5, 0.1);

        var (sx, sy) = Planted(100, [1, 1, 1, 1], 0.1, seed: 5);
        double Norm(LinearFit f) => Math.Sqrt(f.Weights.Sum(w => w * w));
        Assert.True(Norm(RidgeRegression.FitWith(sx, sy, 1e6)) < 0.2 * Norm(RidgeRegression.FitWith(sx, sy, 0)));
    }
}
