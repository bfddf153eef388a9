using System.Text.Json.Serialization;

namespace Oneshot.Training;

/// <summary>What a prior checkpoint records beside its tensors (the metadata keys of
/// prior-train/checkpoint.safetensors).</summary>
public sealed record PriorCheckpointState
{
    [JsonPropertyName("step")] public long Step { get; init; }
    [JsonPropertyName("adam_steps")] public long AdamSteps { get; init; }
    [JsonPropertyName("best_nll")] public double BestNll { get; init; }
    [JsonPropertyName("best_step")] public long BestStep { get; init; }
    [JsonPropertyName("bad_validations")] public int BadValidations { get; init; }
}
