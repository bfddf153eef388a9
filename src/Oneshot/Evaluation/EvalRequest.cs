namespace Oneshot.Evaluation;

/// <summary>What `oneshot eval` was asked to judge, and how.</summary>
public sealed record EvalRequest
{
    public required IReadOnlyList<string> Models { get; init; }
    public required string DataDirectory { get; init; }
    public required string OutDirectory { get; init; }
    /// <summary>An ONNX CLAP audio encoder; null: the built-in log-mel statistics embedder.</summary>
    public string? ClapModel { get; init; }
    /// <summary>Generated clips per model and prior; null: as many as the test split has.</summary>
    public int? Samples { get; init; }
    public int Seed { get; init; } = 1;
    public double Temperature { get; init; } = 1;
    /// <summary>Gradient steps on each latent before reconstructing (<see cref="Generation.LatentRefiner"/>); 0: the
    /// encoder's latents.</summary>
    public int RefineSteps { get; init; }
    public string? CacheDirectory { get; init; }
    /// <summary>Clips of each kind written as WAV for the report's players.</summary>
    public int Examples { get; init; } = 6;
    public DistributionOptions Metrics { get; init; } = new();
    /// <summary>Held-out clips each named control is moved on (<see cref="ControlTraversals"/>); 0: none.</summary>
    public int TraversalClips { get; init; } = 24;
    /// <summary>
    /// At most this many test clips, evenly spaced over the split, are reconstructed and scored
    /// (`--test-clips`; 0: all): each held in memory costs about 1 MB with its reconstruction and its
    /// seen counterpart, so a library of 100,000 sounds stays near 1 GB.
    /// </summary>
    public int TestClips { get; init; } = DefaultTestClips;
    public const int DefaultTestClips = 1000;
    /// <summary>Clips encoded or decoded at once (<see cref="Generation.ModelRunner.BatchSize"/>).</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>Where the models run (`--device`); null: the CPU.</summary>
    public TorchSharp.torch.Device? Device { get; init; }
}
