using Oneshot.Optimisation;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Oneshot.Tests.Optimisation;

public class WeightAverageTests
{
    [Fact]
    public void The_average_follows_its_recurrence_and_is_only_lent_to_the_model()
    {
        using var w = new Parameter(tensor(new double[] { 1, -2 }, dtype: ScalarType.Float64));
        using var average = new WeightAverage([("w", w)], 0.75);
        Assert.Equal(0, average.DecayAt(0));                      // the first step's weights, not the random start
        Assert.Equal(1 - Math.Pow(3, -0.75), average.DecayAt(2));  // warming up
        Assert.Equal(0.75, average.DecayAt(100));                  // capped
        double[] expected = [1, -2];
        foreach (var (step, next) in new[] { (100L, new double[] { 3, 0 }), (101L, [-1, 4]), (2L, [0.5, 0.5]) })
        {
            using (no_grad()) w.copy_(tensor(next, dtype: ScalarType.Float64));
            average.Update(step);
            double d = average.DecayAt(step);
            for (int i = 0; i < 2; i++) expected[i] = d * expected[i] + (1 - d) * next[i];
        }
        using (average.Applied())
            Assert.Equal(expected, w.data<double>().ToArray());
        Assert.Equal([0.5, 0.5], w.data<double>().ToArray());

        // Saved and loaded under ema.NAME.
        var state = average.State().ToDictionary(p => p.Key, p => p.Value.clone());
        Assert.Equal(["ema.w"], state.Keys);
        using var other = new WeightAverage([("w", w)], 0.75);
        other.Load(state, "a checkpoint");
        using (other.Applied()) Assert.Equal(expected, w.data<double>().ToArray());
        // A checkpoint from before the average was turned on starts it from the weights as loaded.
        other.Load(new Dictionary<string, Tensor>(), "a checkpoint");
        using (other.Applied()) Assert.Equal([0.5, 0.5], w.data<double>().ToArray());
        Assert.Contains("different model", Assert.Throws<OneshotException>(() =>
            other.Load(new Dictionary<string, Tensor> { ["ema.w"] = zeros(3) }, "a checkpoint")).Message);
    }
}
