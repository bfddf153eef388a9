using System.Text.Json.Serialization;

namespace Oneshot.Training;

/// <summary>What a VAE checkpoint records beside its tensors (the metadata keys of
/// train/checkpoint-N.safetensors).</summary>
public sealed record VaeCheckpointState
{
    [JsonPropertyName("step")] public long Step { get; init; }
    [JsonPropertyName("adam_steps")] public long AdamSteps { get; init; }
    [JsonPropertyName("elapsed_s")] public double ElapsedSeconds { get; init; }
    /// <summary>
    /// Processor time the training spent, every thread and session summed: the CPU-hours a run cost,
    /// which neither pauses nor other programs on the machine inflate as they do the wall clock.
    /// Absent when any session of the run was trained before it was counted.
    /// </summary>
    [JsonPropertyName("cpu_s")] public double? CpuSeconds { get; init; }
    /// <summary>Absent in checkpoints from before best was ranked by log-mel L1: the next validation is then
    /// best.</summary>
    [JsonPropertyName("best_log_mel_l1")] public double? BestLogMelL1 { get; init; }
    [JsonPropertyName("skipped_steps")] public long SkippedSteps { get; init; }
    /// <summary>Present once stage 2 has started.</summary>
    [JsonPropertyName("stage2_decoder_adam_steps")] public long? Stage2DecoderAdamSteps { get; init; }
    [JsonPropertyName("stage2_discriminator_adam_steps")] public long? Stage2DiscriminatorAdamSteps { get; init; }
}
