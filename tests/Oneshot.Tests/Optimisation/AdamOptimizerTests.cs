using System.Globalization;
using Oneshot.Optimisation;
using Oneshot.TorchInterop;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Oneshot.Tests.Optimisation;

/// <summary>
/// The hand-written Adam against an independent NumPy computation of the same steps (Kingma and Ba's
/// update with bias correction, ε added to the corrected √v, as PyTorch does) with gradient clipping
/// and a changing learning rate, with and without AdamW's decoupled weight decay.
/// </summary>
public class AdamOptimizerTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]   // AdamW: decoupled weight decay
    public void Steps_match_an_independent_numpy_computation(double weightDecay)
    {
        double[] start = [0.5, -1.5, 2.0, 0.0];
        double[] target = [1.0, 1.0, -1.0, 0.25];
        double[] weight = [1.0, 3.0, 0.5, 10.0];
        double[] rates = [0.1, 0.05, 0.2, 0.01, 0.1, 0.3];
        const double clip = 4.0;

        using var x = new Parameter(tensor(start, dtype: ScalarType.Float64));
        using var adam = new AdamOptimizer([("x", x)], 0.9, 0.99, 1e-6, weightDecay: weightDecay);
        using var w = tensor(weight, dtype: ScalarType.Float64);
        using var t = tensor(target, dtype: ScalarType.Float64);
        var norms = new List<double>();
        foreach (double rate in rates)
        {
            using var scope = NewDisposeScope();
            // gradient 2·w·(x − t); no temporary Scalars (TorchInterop)
            var loss = x.Plus(t.neg()).Squared().mul(w).sum();
            norms.Add(adam.Minimise(loss, clip, rate).Norm);
        }
        double[] ours = x.data<double>().ToArray();

        string Numbers(IEnumerable<double> values) =>
            "[" + string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";
        string script = $$"""
            import numpy as np
            x = np.array({{Numbers(start)}}); t = np.array({{Numbers(target)}}); w = np.array({{Numbers(weight)}})
            m = np.zeros(4); v = np.zeros(4); b1, b2, eps = 0.9, 0.99, 1e-6
            norms = []
            clip = {{clip.ToString(CultureInfo.InvariantCulture)}}
            for k, lr in enumerate({{Numbers(rates)}}, start=1):
                g = 2 * w * (x - t)
                norm = np.sqrt(np.sum(g * g)); norms.append(norm)
                if norm > clip: g = g * (clip / (norm + 1e-6))
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                x = x * (1 - lr * {{weightDecay.ToString("R", CultureInfo.InvariantCulture)}})
                x = x - lr / (1 - b1 ** k) * m / (np.sqrt(v / (1 - b2 ** k)) + eps)
            print(" ".join(repr(float(a)) for a in list(x) + norms))
            """;
        double[] reference = [.. Tools.Run(Tools.Python, "-c", script).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => double.Parse(s, CultureInfo.InvariantCulture))];

        for (int i = 0; i < start.Length; i++) Assert.Equal(reference[i], ours[i], 1e-12);
        for (int i = 0; i < rates.Length; i++) Assert.Equal(reference[start.Length + i], norms[i], 1e-12);
        Assert.Equal(rates.Length, adam.Steps);
        Assert.NotEqual(start[0], ours[0]);
    }

    /// <summary>A parameter with a rate of its own (a part grown on a trained model) takes the same step as the others,
    /// times its factor, weight decay included.</summary>
    [Fact]
    public void A_parameter_with_its_own_rate_moves_by_that_factor()
    {
        double[] start = [0.5, -1.5];
        using var slow = new Parameter(tensor(start, dtype: ScalarType.Float64));
        using var fast = new Parameter(tensor(start, dtype: ScalarType.Float64));
        using var adam = new AdamOptimizer([("decoder.w", slow), ("modes.w", fast)], 0.9, 0.99, 1e-6, weightDecay: 0.05,
                                           rateScale: name => name.StartsWith("modes.", StringComparison.Ordinal) ? 10
                                               : 1);
        for (int k = 0; k < 3; k++)
        {
            using var scope = NewDisposeScope();
            adam.Minimise(slow.Squared().sum().Plus(fast.Squared().sum()), 0, 1e-3);
        }
        // From the same start and gradient, one step each is −lr·m̂/(√v̂+ε) (the same for both), after a decay of
        // lr·0.05 (also times the factor).
        double[] slowMoved = [.. slow.data<double>().ToArray().Zip(start, (a, b) => a - b)];
        double[] fastMoved = [.. fast.data<double>().ToArray().Zip(start, (a, b) => a - b)];
        for (int i = 0; i < start.Length; i++)
        {
            Assert.True(Math.Abs(slowMoved[i]) > 1e-4);
            Assert.Equal(10, fastMoved[i] / slowMoved[i], 1);
        }
    }
}
