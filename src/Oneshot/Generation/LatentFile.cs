using System.Text.Json;
using Oneshot.Data;
using Oneshot.Storage;

namespace Oneshot.Generation;

/// <summary>One row of a latents file's .jsonl companion.</summary>
public sealed record LatentRow(int Index, string Source);

/// <summary>Latents on disk: NAME.npy (float32 [count, N]) and NAME.jsonl (what each row came from).</summary>
public static class LatentFile
{
    /// <summary>"out/latents" or "out/latents.npy" → ("out/latents.npy", "out/latents.jsonl").</summary>
    public static (string Npy, string Jsonl) Paths(string path)
    {
        string stem = path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? path[..^4] : path;
        return (stem + ".npy", stem + ".jsonl");
    }

    public static void Write(string path, IReadOnlyList<float[]> latents, IReadOnlyList<string> sources)
    {
        var (npy, jsonl) = Paths(path);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(npy));
        if (folder is not null) Directory.CreateDirectory(folder);
        int size = latents.Count > 0 ? latents[0].Length : 0;
        NpyFile.Write(npy, latents.SelectMany(z => z).ToArray(), [latents.Count, size]);
        AtomicFile.WriteAllText(jsonl,
            string.Concat(sources.Select((s, i) => JsonSerializer.Serialize(new LatentRow(i, s), DatasetFormat.Json)
            + "\n")));
    }

    static float[] ReadVector(string path, NpyFile.Info info, int size)
    {
        var values = new float[size];
        using var stream = File.OpenRead(path);
        stream.Position = info.DataOffset;
        stream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    /// <summary>Reads [count, N] (or a single [N] vector) and the sources when the .jsonl is there.</summary>
    public static (float[][] Latents, string[]? Sources) Read(string path)
    {
        var (npy, jsonl) = Paths(path);
        if (!File.Exists(npy))
            throw new OneshotException($"'{npy}' does not exist; write latents with `oneshot encode` or `oneshot " +
                $"sample`.");
        var info = NpyFile.ReadInfo(npy);
        if (info.Shape.Length is not (1 or 2))
            throw new OneshotException($"'{npy}' has shape ({string.Join(", ", info.Shape)}); expected [count, N] or " +
                $"[N].");
        int rows = info.Shape.Length == 1 ? 1 : (int)info.Shape[0];
        int size = (int)info.Shape[^1];
        float[] values = info.Shape.Length == 2 ? NpyFile.ReadRows(npy, 0, rows) : ReadVector(npy, info, size);
        var latents = Enumerable.Range(0, rows).Select(i => values.AsSpan(i * size, size).ToArray()).ToArray();
        string[]? sources = null;
        if (File.Exists(jsonl))
        {
            var rowsRead = File.ReadLines(jsonl).Where(l => l.Length > 0)
                .Select(l => JsonSerializer.Deserialize<LatentRow>(l, DatasetFormat.Json)!).ToArray();
            if (rowsRead.Length == rows) sources = rowsRead.Select(r => r.Source).ToArray();
        }
        return (latents, sources);
    }
}
