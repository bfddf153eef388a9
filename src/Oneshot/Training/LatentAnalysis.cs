using Oneshot.Data;
using Oneshot.Model;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Training;

/// <summary>PCA of latent vectors: mean, principal directions and their share of the variance.</summary>
public static class LatentAnalysis
{
    /// <summary>latent.json: PCA of the deterministic latents of the training clips.</summary>
    public static LatentStatistics OfTrainingClips(WaveformVae model, ClipStore store, int[] indices, long step, int batchSize)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            var latents = model.EncodeMeans(indices.Length, i => store.Read(indices[i]), batchSize);
            return Compute(latents.SelectMany(z => z).ToArray(), indices.Length, model.Config.LatentSize, "train", step);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <param name="latents">[count, N] float values, row after row.</param>
    public static LatentStatistics Compute(float[] latents, int count, int size, string split, long step)
    {
        using var scope = NewDisposeScope();
        var z = tensor(latents, [count, size]).to_type(ScalarType.Float64);
        var mean = z.mean([0L]);
        var centred = z - mean;
        var covariance = centred.t().matmul(centred).DividedBy(Math.Max(1, count - 1));
        var (values, vectors) = linalg.eigh(covariance);        // ascending
        values = values.flip(0).ClampMin(0);
        vectors = vectors.flip(1);
        double[] variance = values.data<double>().ToArray();
        double total = variance.Sum();
        double[] ratio = variance.Select(v => total > 0 ? v / total : 0).ToArray();
        int needed = 0;
        for (double cumulative = 0; needed < ratio.Length && cumulative < 0.95; needed++) cumulative += ratio[needed];
        var components = vectors.t().contiguous();
        double[] flat = components.data<double>().ToArray();
        return new LatentStatistics
        {
            LatentSize = size,
            Count = count,
            Split = split,
            Step = step,
            Mean = mean.data<double>().ToArray(),
            Std = centred.Squared().sum([0L]).DividedBy(Math.Max(1, count - 1)).sqrt().data<double>().ToArray(),
            Components = Enumerable.Range(0, size).Select(i => flat.AsSpan(i * size, size).ToArray()).ToArray(),
            ExplainedVariance = variance,
            ExplainedVarianceRatio = ratio,
            ComponentsFor95Percent = Math.Max(1, needed),
        };
    }
}
