using Oneshot.Prior;

namespace Oneshot.Training;

/// <summary>What `oneshot prior train` was asked to do.</summary>
public sealed record PriorRequest
{
    public required string ModelDirectory { get; init; }
    /// <summary>The dataset the model was trained on; by default the one recorded in config.json.</summary>
    public string? DataDirectory { get; init; }
    public PriorConfig Config { get; init; } = new();
    public bool Resume { get; init; }
    public bool Force { get; init; }
    public double? MaxMinutes { get; init; }
    /// <summary>Where the clips are encoded (`--device`); the prior itself, 64 numbers a clip, is fitted on the CPU.
    /// Null: the CPU.</summary>
    public TorchSharp.torch.Device? Device { get; init; }
}
