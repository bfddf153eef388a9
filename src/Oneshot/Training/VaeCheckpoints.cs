using Oneshot.Model;
using Oneshot.Optimisation;

namespace Oneshot.Training;

/// <summary>
/// The VAE's checkpoints in MODEL/train: checkpoint-{step:D8}.safetensors (the model under "model.",
/// the optimisers' moments, the weight average under "ema." when there is one, in stage 2 the
/// discriminators under "stage2.discriminators."), the last
/// few kept; best.safetensors and MODEL/model.safetensors hold weights only.
/// </summary>
public sealed class VaeCheckpoints(string trainDirectory, int keep)
{
    const string Prefix = "checkpoint-";
    const string ModelPrefix = "model.";
    const string DiscriminatorPrefix = "stage2.discriminators.";
    public const string BestFile = "best.safetensors";

    public static bool ExistIn(string trainDirectory) =>
        Directory.Exists(trainDirectory) && Directory.EnumerateFiles(trainDirectory, Prefix + "*.safetensors").Any();

    public void Save(WaveformVae model, AdamOptimizer optimizer, Stage2Step? stage2, WeightAverage? average,
        VaeCheckpointState state)
    {
        var checkpoint = Checkpoint.Empty().With(ModelPrefix, ModelDirectory.Weights(model)).With(optimizer);
        if (average is not null) checkpoint.With("", average.State());
        if (stage2 is not null)
        {
            checkpoint.With(DiscriminatorPrefix, ModelDirectory.Weights(stage2.Discriminators))
                .With(stage2.DecoderOptimizer).With(stage2.DiscriminatorOptimizer);
            state = state with { Stage2DecoderAdamSteps = stage2.DecoderOptimizer.Steps,
                Stage2DiscriminatorAdamSteps = stage2.DiscriminatorOptimizer.Steps };
        }
        checkpoint.Save(Path.Combine(trainDirectory, $"{Prefix}{state.Step:D8}.safetensors"),
            state with { AdamSteps = optimizer.Steps });
        foreach (string old in Files().SkipLast(keep)) AtomicFile.TryDelete(old);
    }

    /// <summary>Restores the latest checkpoint into the model and optimiser.</summary>
    /// <param name="stage2">Creates the stage-2 state when the checkpoint was written in stage 2.</param>
    public VaeCheckpointState LoadLatest(WaveformVae model, AdamOptimizer optimizer, Func<Stage2Step> stage2,
        WeightAverage? average)
    {
        var (checkpoint, state) = Checkpoint.Load<VaeCheckpointState>(Files().Last(), "Checkpoint",
            "it was not written by `oneshot train`");
        using var _ = checkpoint;
        ModelDirectory.LoadWeights(model, checkpoint.Under(ModelPrefix), checkpoint.Origin, prefix: ModelPrefix);
        optimizer.Load(checkpoint.Tensors, state.AdamSteps, checkpoint.Origin);
        average?.Load(checkpoint.Tensors, checkpoint.Origin);
        if (checkpoint.Has(DiscriminatorPrefix))
        {
            var restored = stage2();
            ModelDirectory.LoadWeights(restored.Discriminators, checkpoint.Under(DiscriminatorPrefix),
                checkpoint.Origin, prefix: DiscriminatorPrefix);
            restored.DecoderOptimizer.Load(checkpoint.Tensors, state.Stage2DecoderAdamSteps
                ?? throw Missing(checkpoint, "stage2_decoder_adam_steps"), checkpoint.Origin);
            restored.DiscriminatorOptimizer.Load(checkpoint.Tensors, state.Stage2DiscriminatorAdamSteps
                ?? throw Missing(checkpoint, "stage2_discriminator_adam_steps"), checkpoint.Origin);
        }
        return state;
    }

    static OneshotException Missing(Checkpoint checkpoint, string key) =>
        new($"{checkpoint.Origin} lacks '{key}' in its metadata; it was not written by `oneshot train`.");

    IEnumerable<string> Files() =>
        Directory.EnumerateFiles(trainDirectory, Prefix + "*.safetensors").Order(StringComparer.Ordinal);
}
