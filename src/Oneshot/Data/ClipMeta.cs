using System.Text.Json;
using Oneshot.Audio;

namespace Oneshot.Data;

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

    /// <summary>A text label ("class", "instrument"), or null when the clip has none or it is not text.</summary>
    public string? TextLabel(string key) =>
        Labels.TryGetValue(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
