using System.IO.MemoryMappedFiles;
using Oneshot.Storage;

namespace Oneshot.Data;

/// <summary>A dataset directory opened for training: clips.npy memory-mapped, meta.jsonl read once.</summary>
public sealed class ClipStore : IDisposable
{
    readonly MemoryMappedFile _file;
    readonly MemoryMappedViewAccessor _view;
    readonly long _dataOffset;

    public ClipStore(string directory)
    {
        Directory = directory;
        Info = DatasetInfo.Load(directory);
        string clips = Path.Combine(directory, DatasetFormat.ClipsFile);
        if (!File.Exists(clips))
            throw new OneshotException($"'{directory}' has no {DatasetFormat.ClipsFile}; prepare the dataset again.");
        var npy = NpyFile.ReadInfo(clips);
        if (npy.Shape.Length != 2)
            throw new OneshotException($"'{clips}' has shape ({string.Join(", ", npy.Shape)}); expected [clips, " +
                $"samples].");
        Count = (int)npy.Shape[0];
        Length = (int)npy.Shape[1];
        if (Length != Info.ClipLength)
            throw new OneshotException($"'{clips}' holds {Length}-sample clips but dataset.json says " +
                $"{Info.ClipLength}; prepare the dataset again.");
        long expected = npy.DataOffset + (long)Count * Length * 4;
        if (new FileInfo(clips).Length < expected)
            throw new OneshotException($"'{clips}' is truncated ({new FileInfo(clips).Length} bytes, expected " +
                $"{expected}); prepare the dataset again.");
        Meta = DatasetSummary.ReadMeta(directory);
        if (Meta.Count != Count)
            throw new OneshotException($"'{directory}': meta.jsonl has {Meta.Count} lines for {Count} clips; prepare " +
                $"the dataset again.");
        _dataOffset = npy.DataOffset;
        _file = MemoryMappedFile.CreateFromFile(clips, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
    }

    public string Directory { get; }
    public DatasetInfo Info { get; }
    public IReadOnlyList<ClipMeta> Meta { get; }
    public int Count { get; }
    public int Length { get; }
    public int SampleRate => Info.SampleRate;

    public int[] IndicesOf(string split) => Enumerable.Range(0, Count).Where(i => Meta[i].Split == split).ToArray();

    public void Read(int index, float[] destination, int offset = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        _view.ReadArray(_dataOffset + (long)index * Length * 4, destination, offset, Length);
    }

    public float[] Read(int index)
    {
        var clip = new float[Length];
        Read(index, clip);
        return clip;
    }

    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
    }
}
