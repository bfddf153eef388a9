using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Oneshot.Evaluation;

/// <summary>
/// Embeddings on disk, keyed by the embedder's identity and a SHA-256 of the audio itself (rate and
/// samples), so re-running an evaluation embeds only what changed — whatever the files are called.
/// </summary>
public sealed class EmbeddingCache
{
    public EmbeddingCache(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>~/.cache/oneshot/embeddings (or $XDG_CACHE_HOME/oneshot/embeddings).</summary>
    public static string DefaultDirectory() => Oneshot.Storage.UserCache.Folder("embeddings");

    /// <summary>Clips embedded or read back; <paramref name="hits"/> says how many came from the cache.</summary>
    public EmbeddingMatrix Embed(IAudioEmbedder embedder, IReadOnlyList<float[]> clips, int sampleRate, out int hits)
    {
        var values = new double[clips.Count * embedder.Dimensions];
        var missing = new List<int>();
        var keys = clips.Select(c => Key(embedder, c, sampleRate)).ToArray();
        for (int i = 0; i < clips.Count; i++)
        {
            if (!TryRead(embedder, keys[i], values.AsSpan(i * embedder.Dimensions, embedder.Dimensions)))
                missing.Add(i);
        }
        hits = clips.Count - missing.Count;
        if (missing.Count > 0)
        {
            var fresh = embedder.Embed(missing.Select(i => clips[i]).ToList(), sampleRate);
            for (int j = 0; j < missing.Count; j++)
            {
                var row = fresh.Row(j);
                row.CopyTo(values.AsSpan(missing[j] * embedder.Dimensions, embedder.Dimensions));
                Write(embedder, keys[missing[j]], row);
            }
        }
        return new EmbeddingMatrix(values, clips.Count, embedder.Dimensions);
    }

    static string Key(IAudioEmbedder embedder, float[] clip, int sampleRate)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{embedder.Identity}\n{sampleRate}\n"));
        hash.AppendData(MemoryMarshal.AsBytes(clip.AsSpan()));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    string PathOf(IAudioEmbedder embedder, string key) =>
        Path.Combine(Directory, embedder.Identity, key[..2], key + ".f64");

    bool TryRead(IAudioEmbedder embedder, string key, Span<double> destination)
    {
        string path = PathOf(embedder, key);
        if (!File.Exists(path)) return false;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != destination.Length * sizeof(double)) return false;   // from another version: embed again
        MemoryMarshal.Cast<byte, double>(bytes).CopyTo(destination);
        return true;
    }

    void Write(IAudioEmbedder embedder, string key, ReadOnlySpan<double> row)
    {
        string path = PathOf(embedder, key);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllBytes(path, MemoryMarshal.AsBytes(row));
    }
}
