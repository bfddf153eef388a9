using Oneshot.Data;
using Oneshot.Model;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Training;

/// <summary>PCA of latent vectors: mean, principal directions and their share of the variance; and the named
/// controls.</summary>
public static class LatentAnalysis
{
    /// <summary>
    /// latent.json: PCA of the deterministic latents of the training clips — every clip the model
    /// trained on, --also-train-on's too — and the named controls fitted on them (checked on
    /// <paramref name="validIndices"/> of <paramref name="validStore"/>, the --data dataset).
    /// </summary>
    public static LatentStatistics OfTrainingClips(WaveformVae model, TrainingClip[] clips, ClipStore validStore,
        int[] validIndices, long step, int batchSize, IReadOnlyList<string> trainedAttributes,
        ControlDirections directions = ControlDirections.Regression)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            var latents = model.EncodeMeans(clips.Length, i => clips[i].Read(), batchSize);
            var valid = model.EncodeMeans(validIndices.Length, i => validStore.Read(validIndices[i]), batchSize);
            var statistics = Compute(latents.SelectMany(z => z).ToArray(), clips.Length, model.Config.LatentSize,
                "train", step);
            return statistics with
            {
                Controls = NamedControls.Fit(
                    ToDouble(latents), [.. clips.Select(c => c.Store.Meta[c.Index].Descriptors)],
                    ToDouble(valid), [.. validIndices.Select(i => validStore.Meta[i].Descriptors)], statistics.Mean,
                        trainedAttributes, directions),
            };
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// Writes latent.json anew for a trained model's saved weights: what `oneshot controls` does for
    /// models trained before named controls existed, or after the dataset's descriptors changed.
    /// </summary>
    /// <param name="dataDirectory">The dataset to analyse; null: the one the model was trained on.</param>
    /// <returns>The statistics written, and warnings: the dataset is not the one the model was trained on, a set it
    /// also trained on is gone.</returns>
    public static (LatentStatistics Statistics, IReadOnlyList<string> Warnings) Rewrite(string modelDirectory,
        string? dataDirectory, int batchSize = 8, ControlDirections directions = ControlDirections.Regression)
    {
        var (config, model) = ModelDirectory.Load(modelDirectory);
        using var _ = model;
        var dataset = ModelDataset.Require(config, dataDirectory, "latent.json describes the model's training clips");
        string data = dataset.Directory;
        using var store = new ClipStore(data);
        if (store.SampleRate != config.Model.SampleRate || store.Length != config.Model.ClipLength)
            throw new OneshotException($"'{data}' holds clips of {store.Length} samples at {store.SampleRate} Hz; " +
                $"'{modelDirectory}' takes {config.Model.ClipLength} at {config.Model.SampleRate} Hz.");
        var warnings = new List<string>();
        if (dataset.Warning is { } warning) warnings.Add(warning + " The controls describe its clips.");
        var train = store.IndicesOf("train");
        if (train.Length == 0) throw new OneshotException($"'{data}' has no training clips to analyse.");
        var valid = store.IndicesOf("valid");
        if (config.Train.ValidationClips > 0) valid = [.. valid.Take(config.Train.ValidationClips)];
        using var extraStores = RunDirectory.ExtraStores.OpenPresent(config.Train.ExtraData, store,
            extra =>
                warnings.Add($"'{extra}', which the model also trained on, is not there: the controls are fitted to " +
                $"the training clips of '{data}' alone."));
        long step = ModelDirectory.SavedStep(modelDirectory) ?? 0;
        var statistics = OfTrainingClips(model, extraStores.TrainingClips(store, train), store, valid, step, batchSize,
            config.Train.Attributes, directions);
        ModelDirectory.SaveLatent(modelDirectory, statistics);
        return (statistics, warnings);
    }

    static double[][] ToDouble(float[][] latents) => [.. latents.Select(z => z.Select(v => (double)v).ToArray())];

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
