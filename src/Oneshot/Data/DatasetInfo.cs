using System.Text.Json;

namespace Oneshot.Data;

/// <summary>dataset.json: what the directory holds and how it was made.</summary>
public sealed record DatasetInfo
{
    public string Format { get; init; } = "oneshot-dataset";
    public int Version { get; init; } = DatasetFormat.Version;
    public required int SampleRate { get; init; }
    public required int ClipLength { get; init; }
    public required int Count { get; init; }
    public required SortedDictionary<string, int> Splits { get; init; }
    public required int Groups { get; init; }
    public required int Skipped { get; init; }
    public required int Duplicates { get; init; }
    /// <summary>What the clips were made from: input paths or the recipe and its settings.</summary>
    public required string Source { get; init; }
    public required PrepareOptions Options { get; init; }
    /// <summary>SHA-256 of clips.npy's data and meta.jsonl; models record it to name their data.</summary>
    public required string Hash { get; init; }
    public required DateTimeOffset Created { get; init; }

    /// <summary>"sha256:" and the first 12 hex digits: enough to tell datasets apart in a message.</summary>
    public static string ShortHash(string hash) => hash.Length > 19 ? hash[..19] : hash;

    public static DatasetInfo Load(string directory)
    {
        string path = Path.Combine(directory, DatasetFormat.DatasetFile);
        if (!File.Exists(path))
            throw new OneshotException($"'{directory}' is not a dataset directory: {DatasetFormat.DatasetFile} is " +
                $"missing. Make one with `oneshot data prepare` or `oneshot data recipe`.");
        try
        {
            return JsonSerializer.Deserialize<DatasetInfo>(File.ReadAllText(path), DatasetFormat.Json)
                   ?? throw new OneshotException($"'{path}' is empty.");
        }
        catch (JsonException e)
        {
            throw new OneshotException($"'{path}' is not valid: {e.Message}", e);
        }
    }
}
