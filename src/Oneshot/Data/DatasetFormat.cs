using System.Text.Json;
using System.Text.Json.Serialization;

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
    public static JsonElement Label(double value) => JsonSerializer.SerializeToElement(value);

    /// <summary>Labels starting with this are known generating factors (the synthetic recipe's), which eval scores
    /// disentanglement against.</summary>
    public const string FactorPrefix = "factor_";
}
