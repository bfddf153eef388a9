using Oneshot.Generation;
using Oneshot.Model;
using Oneshot.Prior;
using Oneshot.Statistics;
using static TorchSharp.torch;

namespace Oneshot.Evaluation;

/// <summary>What the test clips' latents say: active units, KL, each prior's likelihood, and where they sit on
/// latent.json's principal directions.</summary>
static class LatentScores
{
    /// <summary>
    /// One encoder pass over the clips: their deterministic latents (what `oneshot encode` gives),
    /// active units and KL of the Gaussian posterior, and how likely each prior finds the latents.
    /// </summary>
    public static (float[][] Latents, LatentSummary Summary) EncodeAndScore(ModelRunner runner, float[][] clips)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int n = runner.LatentSize;
        var means = new List<float[]>();
        var latents = new List<float[]>();
        double kl = 0;
        runner.Model.eval();
        runner.Model.EncodeInBatches(clips.Length, i => clips[i], runner.BatchSize, (start, posterior) =>
        {
            kl += WaveformVae.AnalyticKl(posterior.Mean, posterior.Std).sum().item<float>();
            var mean = posterior.Mean.data<float>().ToArray();
            var z = runner.Model.MeanLatent(posterior).data<float>().ToArray();
            for (int i = 0; i < mean.Length / n; i++)
            {
                means.Add(mean.AsSpan(i * n, n).ToArray());
                latents.Add(z.AsSpan(i * n, n).ToArray());
            }
        });
        var all = tensor(latents.SelectMany(l => l).ToArray(), [latents.Count, n]);
        var nll = new Dictionary<string, double>();
        using (var standard = new StandardNormalPrior(n))
            nll["standard"] = -standard.LogProb(all).mean().item<double>() / n;
        if (runner.HasTrainedPrior)
        {
            using var trained = PriorFile.Load(runner.Directory, n);
            nll["trained"] = -trained.LogProb(all).mean().item<double>() / n;
        }
        return (latents.ToArray(), new LatentSummary(LatentActivity.ActiveUnits(means), kl / clips.Length / n, nll));
    }

    /// <summary>The test latents on the first two principal directions of latent.json (the train posterior), with
    /// labels.</summary>
    public static LatentProjection? Projection(string directory, float[][] latents, string[] labels)
    {
        var statistics = ModelDirectory.LoadLatent(directory);
        if (statistics is null || statistics.Components.Length < 2) return null;
        var points = latents.Select(z =>
        {
            double x = 0, y = 0;
            for (int d = 0; d < z.Length; d++)
            {
                double centred = z[d] - statistics.Mean[d];
                x += centred * statistics.Components[0][d];
                y += centred * statistics.Components[1][d];
            }
            return new[] { x, y };
        }).ToArray();
        return new LatentProjection(points, labels, statistics.ExplainedVarianceRatio.Take(2).ToArray());
    }
}
