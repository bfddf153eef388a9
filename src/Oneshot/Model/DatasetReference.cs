namespace Oneshot.Model;

/// <summary>Which dataset a model was trained on.</summary>
public sealed record DatasetReference
{
    public string Path { get; init; } = "";
    public string Hash { get; init; } = "";
    /// <summary>How the clips were prepared; outside files are prepared the same way before encoding.</summary>
    public Oneshot.Data.PrepareOptions? Preparation { get; init; }
}
