using System.Text.Json;
using Oneshot.Audio;

namespace Oneshot.Data;

/// <summary>One sound to turn into a clip: where it comes from, its group and labels, and how to load it.</summary>
/// <param name="Key">A unique, stable name (a file path, or a recipe's name for the sound); sources are processed in
/// key order.</param>
public sealed record ClipSource(string Key, string Group, SortedDictionary<string, JsonElement> Labels,
    Func<AudioData> Load)
{
    /// <summary>Set when the scan already knows this source cannot be used (a FIFO, a folder reached twice through
    /// links): the reason, for skipped.tsv.</summary>
    public string? SkipReason { get; init; }

    public static ClipSource Skipped(string path, string reason) =>
        new(path, "", [], () => throw new OneshotException($"'{path}': {reason}")) { SkipReason = reason };

    public static ClipSource FromFile(string path, string group, SortedDictionary<string,
        JsonElement>? labels = null) =>
        new(path, group, labels ?? [], () => AudioFile.Read(path, AudioFile.ReadLimitSeconds));
}
