using Oneshot.Data;

namespace Oneshot.Model;

/// <summary>Which dataset a model was trained on.</summary>
public sealed record DatasetReference
{
    /// <summary>`oneshot quickstart`'s default output folder, and the dataset it builds there.</summary>
    public const string QuickstartFolder = "oneshot-quickstart";
    public static string QuickstartDataset(string folder) => System.IO.Path.Combine(folder, "data");

    public string Path { get; init; } = "";
    public string Hash { get; init; } = "";
    /// <summary>How the clips were prepared; outside files are prepared the same way before encoding.</summary>
    public PrepareOptions? Preparation { get; init; }

    /// <summary>
    /// Where the dataset is on this machine: its recorded path when it is there; else, for a model
    /// trained on another machine (the shipped one), the same clips — the same hash — where
    /// quickstart builds them; else the recorded path, so that messages name it.
    /// </summary>
    /// <param name="workingDirectory">The folder quickstart's is looked for in; null: the current one.</param>
    public string Locate(string? workingDirectory = null)
    {
        if (string.IsNullOrEmpty(Path) || Directory.Exists(Path)) return Path;
        string candidate =
            QuickstartDataset(System.IO.Path.Combine(workingDirectory ?? Environment.CurrentDirectory,
            QuickstartFolder));
        if (!File.Exists(System.IO.Path.Combine(candidate, DatasetFormat.DatasetFile))) return Path;
        try
        {
            return DatasetInfo.Load(candidate).Hash == Hash ? candidate : Path;
        }
        catch (OneshotException)
        {
            return Path;   // an unreadable dataset.json there is not this dataset
        }
    }
}
