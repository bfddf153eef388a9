using Oneshot.Model;
using static TorchSharp.torch;

namespace Oneshot.Tests.Model;

public class TotalCorrelationTests
{
    [Fact]
    public void Copied_dimensions_correlate_totally_and_independent_ones_hardly()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        int batch = 256;
        // Posteriors narrow against the spread of the data, but not so narrow that each clip's own
        // term swamps the batch's estimate of the joint density (that bias grows as σ shrinks).
        var std = full(batch, 2, 0.3f);
        var independent = randn(batch, 2);
        var one = randn(batch, 1);
        var copied = cat([one, one], 1);
        double tcIndependent = TotalCorrelation.Estimate(independent, independent, std).item<float>();
        double tcCopied = TotalCorrelation.Estimate(copied, copied, std).item<float>();
        // Copies blurred by σ = 0.3 correlate with ρ = 1/(1 + σ²) ≈ 0.92: −½·log(1 − ρ²) ≈ 0.9 nats.
        Assert.True(tcCopied > tcIndependent + 0.7, $"copied {tcCopied}, independent {tcIndependent}");
        Assert.InRange(tcIndependent, -0.2, 0.2);
    }

    [Fact]
    public void It_needs_a_gaussian_posterior_and_a_training_run_logs_it()
    {
        Assert.Contains("model.flow_steps=0",
            Assert.Throws<OneshotException>(() => Training.TinyData.Config("train.tc_weight=1").Validate()).Message);
        using var dir = new TempDir();
        string model = Training.TinyData.TrainModel(dir, Training.TinyData.Build(dir, count: 12), steps: 4,
            settings: ["train.tc_weight=1", "model.flow_steps=0"]);
        var rows = File.ReadLines(Path.Combine(model, "train/metrics.csv")).Select(l => l.Split(',')).ToList();
        int column = Array.IndexOf(rows[0], "total_correlation");
        Assert.Contains(rows.Skip(1), r => r.Length > column
            && double.TryParse(r[column], System.Globalization.CultureInfo.InvariantCulture, out double v)
            && double.IsFinite(v));
    }
}
