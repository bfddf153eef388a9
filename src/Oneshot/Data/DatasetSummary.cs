using System.Text.Json;
using Oneshot.Storage;

namespace Oneshot.Data;

/// <summary>What `oneshot data info` shows: counts per split, group and label, and descriptor statistics.</summary>
public sealed record DatasetSummary(
    DatasetInfo Info,
    IReadOnlyDictionary<string, int> ClipsPerSplit,
    IReadOnlyList<(string Group, string Split, int Clips)> Groups,
    IReadOnlyDictionary<string, IReadOnlyList<(string Value, int Clips)>> Labels,
    IReadOnlyList<(string Name, Statistics Stats)> Descriptors)
{
    public static DatasetSummary Load(string directory)
    {
        var info = DatasetInfo.Load(directory);
        var meta = ReadMeta(directory);
        var npy = NpyFile.ReadInfo(Path.Combine(directory, DatasetFormat.ClipsFile));
        if (npy.Shape.Length != 2 || npy.Shape[0] != meta.Count || npy.Shape[1] != info.ClipLength)
            throw new OneshotException($"'{directory}' is inconsistent: clips.npy has shape " +
                $"({string.Join(", ", npy.Shape)}) but meta.jsonl has {meta.Count} lines and dataset.json says clips " +
                $"of {info.ClipLength} samples. Prepare it again.");

        var perSplit = DatasetFormat.Splits.ToDictionary(s => s, s => meta.Count(m => m.Split == s));
        var groups = meta.GroupBy(m => m.Group).Select(g => (g.Key, g.First().Split, g.Count()))
            .OrderBy(g => Array.IndexOf(DatasetFormat.Splits, g.Item2)).ThenBy(g => g.Key, StringComparer.Ordinal)
                .ToList();
        var labels = meta.SelectMany(m => m.Labels.Select(l => (l.Key, Value: LabelText(l.Value))))
            .GroupBy(l => l.Key)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<(string, int)>)g.GroupBy(l => l.Value)
                .Select(v => (v.Key, v.Count())).OrderByDescending(v => v.Item2)
                    .ThenBy(v => v.Item1, StringComparer.Ordinal).ToList());
        var descriptors = new List<(string, Statistics)>
        {
            ("loudness (LUFS)", Statistics.Of(meta.Select(m => m.Descriptors.LoudnessLufs))),
            ("peak (dBFS)", Statistics.Of(meta.Select(m => m.Descriptors.PeakDb))),
            ("spectral centroid (Hz)", Statistics.Of(meta.Select(m => m.Descriptors.SpectralCentroidHz))),
            ("spectral flatness", Statistics.Of(meta.Select(m => m.Descriptors.SpectralFlatness))),
            ("attack (s)", Statistics.Of(meta.Select(m => m.Descriptors.AttackSeconds))),
            ("decay (s)", Statistics.Of(meta.Select(m => m.Descriptors.DecaySeconds))),
            ("f0 (Hz, confidence > 0.8)",
                Statistics.Of(meta.Where(m => m.Descriptors.F0Confidence > 0.8).Select(m => m.Descriptors.F0Hz))),
            ("f0 confidence", Statistics.Of(meta.Select(m => m.Descriptors.F0Confidence))),
            ("source duration (s)", Statistics.Of(meta.Select(m => m.SourceSeconds))),
            ("trimmed silence (s)", Statistics.Of(meta.Select(m => m.TrimmedSeconds))),
        };
        return new DatasetSummary(info, perSplit, groups, labels, descriptors);
    }

    public static List<ClipMeta> ReadMeta(string directory)
    {
        string path = Path.Combine(directory, DatasetFormat.MetaFile);
        if (!File.Exists(path))
            throw new OneshotException($"'{directory}' has no {DatasetFormat.MetaFile}; prepare the dataset again.");
        var list = new List<ClipMeta>();
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0) continue;
            try { list.Add(JsonSerializer.Deserialize<ClipMeta>(text, DatasetFormat.Json)!); }
            catch (JsonException e)
            {
                throw new OneshotException($"'{path}' line {line} is not valid: {e.Message}", e);
            }
        }
        return list;
    }

    static string LabelText(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()!
        : value.GetRawText();
}

public sealed record Statistics(int Count, double Mean, double StandardDeviation, double Min, double Median, double Max)
{
    public static Statistics Of(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).Order().ToArray();
        if (v.Length == 0) return new Statistics(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        double mean = v.Average();
        double sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        double median = v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
        return new Statistics(v.Length, mean, sd, v[0], median, v[^1]);
    }
}
