using System.Text.Json;
using System.Text.Json.Serialization;
using Oneshot.Audio;

namespace Oneshot.Data;

/// <summary>File names and JSON conventions of a dataset directory (see docs/formats.md).</summary>
public static class DatasetFormat
{
    public const string ClipsFile = "clips.npy";
    public const string MetaFile = "meta.jsonl";
    public const string DatasetFile = "dataset.json";
    public const string SkippedFile = "skipped.tsv";
    public const int Version = 1;

    public static readonly string[] Splits = ["train", "valid", "test"];

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static readonly JsonSerializerOptions JsonIndented = new(Json) { WriteIndented = true };

    public static JsonElement Label(string value) => JsonSerializer.SerializeToElement(value);
    public static JsonElement Label(int value) => JsonSerializer.SerializeToElement(value);
}

/// <summary>One line of meta.jsonl; line i describes row i of clips.npy.</summary>
public sealed record ClipMeta
{
    public required string Id { get; init; }
    /// <summary>Where the sound came from: a file path, or a recipe's description of how it was made.</summary>
    public required string Source { get; init; }
    public required string Group { get; init; }
    public required string Split { get; init; }
    public required SortedDictionary<string, JsonElement> Labels { get; init; }
    public required ClipDescriptors Descriptors { get; init; }
    public required int SourceSampleRate { get; init; }
    public required int SourceChannels { get; init; }
    public required double SourceSeconds { get; init; }
    /// <summary>Leading silence removed before the clip starts.</summary>
    public required double TrimmedSeconds { get; init; }
    public required double GainDb { get; init; }
    /// <summary>True when the source was longer than the clip and was cut.</summary>
    public required bool Cropped { get; init; }
}

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
            throw new OneshotException($"'{directory}' is not a dataset directory: {DatasetFormat.DatasetFile} is missing. Make one with `oneshot data prepare` or `oneshot data recipe`.");
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
