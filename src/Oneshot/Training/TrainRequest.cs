using Oneshot.Model;
using static TorchSharp.torch;

namespace Oneshot.Training;

/// <summary>What `oneshot train` was asked to do.</summary>
public sealed record TrainRequest
{
    public required string DataDirectory { get; init; }
    public required string ModelDirectory { get; init; }
    /// <summary>The configuration of a new run; ignored when resuming (the model's config.json rules).</summary>
    public required RunConfig Config { get; init; }
    public bool Resume { get; init; }
    /// <summary>Overrides applied to the stored config on --resume (train.* and stage2.* only).</summary>
    public IReadOnlyList<string> ResumeOverrides { get; init; } = [];
    /// <summary>Start over in a directory that already holds a run.</summary>
    public bool Force { get; init; }
    /// <summary>Stop (with a checkpoint) after this much wall-clock time in this session.</summary>
    public double? MaxMinutes { get; init; }
    /// <summary>Stop (with a checkpoint) after this many steps in this session.</summary>
    public long? MaxSessionSteps { get; init; }
    public Device? Device { get; init; }
}
