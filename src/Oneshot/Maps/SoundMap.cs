using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Oneshot.Audio;
using Oneshot.Data;
using Oneshot.Generation;
using Oneshot.Model;
using Oneshot.Statistics;
using Oneshot.Storage;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Maps;

/// <summary>One sound on the map: where it came from, where it lies, and what it is.</summary>
/// <param name="Key">What identifies this version of the sound: a file's path, size and time, or a dataset clip's id
/// and the dataset's hash.</param>
/// <param name="Pca">Its latent projected on the map's two principal directions.</param>
/// <param name="Layout">Its place in the neighbourhood-preserving layout (t-SNE); null when the map has none.</param>
/// <param name="Qualities">The named qualities (brightness, noisiness, attack, decay, pitch, level) on their scales;
/// null where undefined.</param>
public sealed record MapSound(string Source, string Key, string? Class, double[] Pca, double[]? Layout,
    Dictionary<string, double?> Qualities);

/// <summary>map.json: the latents' principal plane and every sound's place; latents.npy holds the latents, row by
/// row.</summary>
public sealed record SoundMap(int Version, string Model, string ModelHash, string Layout, double[] Mean,
    double[][] Axes, double[] VarianceShare, MapSound[] Sounds)
{
    public const string JsonFile = "map.json";
    public const string LatentsFile = "latents.npy";
    public const int CurrentVersion = 1;

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, JsonFile));

    /// <summary>The map in <paramref name="directory"/> and its latents, checked against each other.</summary>
    public static (SoundMap Map, float[][] Latents) Load(string directory)
    {
        string json = Path.Combine(directory, JsonFile), npy = Path.Combine(directory, LatentsFile);
        if (!File.Exists(json))
            throw new OneshotException($"'{directory}' holds no sound map ({JsonFile}); build one with `oneshot map " +
                $"MODEL INPUT… --out {directory}`.");
        SoundMap map;
        try
        {
            map = JsonSerializer.Deserialize<SoundMap>(File.ReadAllText(json), Json)
                ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new OneshotException($"'{json}' is not a sound map ({e.Message}); build it again with `oneshot " +
                $"map`.");
        }
        if (map.Version > CurrentVersion)
            throw new OneshotException($"'{json}' is a map of version {map.Version}; this Oneshot reads up to " +
                $"{CurrentVersion}: update it.");
        var (values, rows, columns) = NpyFile.ReadMatrix(npy);
        if (rows != map.Sounds.Length)
            throw new OneshotException($"'{npy}' has {rows} latents for {map.Sounds.Length} sounds in {JsonFile}; " +
                $"build the map again.");
        var latents = Enumerable.Range(0, rows).Select(r =>
            Enumerable.Range(0, columns).Select(c => (float)values[r * columns + c]).ToArray()).ToArray();
        return (map, latents);
    }

    /// <summary>The SHA-256 of a model's weights (first 16 hex digits): a map belongs to the weights that made its
    /// latents.</summary>
    public static string HashOfModel(string modelDirectory)
    {
        using var weights = File.OpenRead(Path.Combine(modelDirectory, ModelDirectory.WeightsFile));
        return Convert.ToHexStringLower(SHA256.HashData(weights))[..16];
    }
}

/// <summary>What `oneshot map` did.</summary>
public sealed record MapResult(SoundMap Map, int Encoded, int Reused,
    IReadOnlyList<(string Source, string Reason)> Skipped);

/// <summary>
/// `oneshot map`: encodes a library (dataset directories, folders, files) with a model and lays it
/// out in 2-D — the latents' principal plane, and a t-SNE layout that keeps neighbours together —
/// as plain files, so a map is built once and opened at once. Building again into the same folder
/// encodes only sounds it has not seen (same model, same file size and time).
/// </summary>
public static class SoundMapBuilder
{
    const int EncodeChunk = 128;   // clips held at once while encoding: memory stays flat for any library

    sealed record Pending(string Source, string Key, string? Class,
        Func<(float[] Clip, ClipDescriptors Descriptors)> Load);

    /// <param name="threads">Cores for reading files and the layout (null: all); the instrument's server leaves one
    /// free.</param>
    public static MapResult Build(ModelRunner runner, IReadOnlyList<string> inputs, string outDirectory,
        int refineSteps = 0, double perplexity = 30, int seed = 1,
        Action<string>? message = null, Action<int, int>? progress = null, CancellationToken cancellation = default,
            int? threads = null)
    {
        if (inputs.Count == 0)
            throw new OneshotException("Name at least one input: a dataset directory, a folder of audio, or audio " +
                "files.");
        string modelHash = SoundMap.HashOfModel(runner.Directory);
        var stores = new List<ClipStore>();
        try
        {
            return Build(runner, Collect(runner, inputs, stores), inputs, outDirectory, modelHash, refineSteps,
                perplexity, seed, message, progress, cancellation, threads);
        }
        finally { foreach (var store in stores) store.Dispose(); }
    }

    static MapResult Build(ModelRunner runner, List<Pending> pending, IReadOnlyList<string> inputs, string outDirectory,
        string modelHash, int refineSteps, double perplexity, int seed,
        Action<string>? message, Action<int, int>? progress, CancellationToken cancellation, int? threads)
    {
        if (pending.Count == 0) throw new OneshotException($"No sounds found in {string.Join(", ", inputs)}.");

        // What an earlier build of this map already encoded with these weights is reused.
        var previous = new Dictionary<string, (MapSound Sound, float[] Latent)>();
        if (SoundMap.Exists(outDirectory))
        {
            var (old, oldLatents) = SoundMap.Load(outDirectory);
            if (old.ModelHash == modelHash)
                for (int i = 0; i < old.Sounds.Length; i++)
                    previous[old.Sounds[i].Key] = (old.Sounds[i], oldLatents[i]);
            else message?.Invoke($"The map in '{outDirectory}' was made with other weights; every sound is encoded " +
                $"again.");
        }

        var sounds = new List<(MapSound Sound, float[] Latent)>();
        var skipped = new List<(string, string)>();
        int encoded = 0, reused = 0, done = 0;
        foreach (var chunk in pending.Chunk(EncodeChunk))
        {
            cancellation.ThrowIfCancellationRequested();
            foreach (var item in chunk.Where(i => previous.ContainsKey(i.Key)))
            {
                sounds.Add(previous[item.Key]);
                reused++;
            }
            // Reading and describing a file is most of a map's time: the chunk's files are read side by side.
            var toRead = chunk.Where(i => !previous.ContainsKey(i.Key)).ToArray();
            var read = new ((float[] Clip, ClipDescriptors Descriptors)? Loaded, string? Error)[toRead.Length];
            Parallel.For(0, toRead.Length, new ParallelOptions { CancellationToken = cancellation,
                MaxDegreeOfParallelism = Math.Max(1, threads ?? Environment.ProcessorCount) }, i =>
            {
                try { read[i] = (toRead[i].Load(), null); }
                catch (OneshotException e) { read[i] = (null, e.Message); }
            });
            var fresh = new List<(Pending Item, float[] Clip, ClipDescriptors Descriptors)>();
            for (int i = 0; i < toRead.Length; i++)
            {
                if (read[i].Loaded is { } loaded) fresh.Add((toRead[i], loaded.Clip, loaded.Descriptors));
                else skipped.Add((toRead[i].Source, read[i].Error!));
            }
            if (fresh.Count > 0)
            {
                var latents = runner.EncodeRefined([.. fresh.Select(f => f.Clip)], refineSteps);
                for (int i = 0; i < fresh.Count; i++)
                {
                    var qualities = NamedDescriptor.All.ToDictionary(d => d.Name, d => d.Scaled(fresh[i].Descriptors));
                    sounds.Add(
                        (new MapSound(fresh[i].Item.Source, fresh[i].Item.Key, fresh[i].Item.Class, [], null,
                        qualities), latents[i]));
                }
                encoded += fresh.Count;
            }
            done += chunk.Length;
            progress?.Invoke(done, pending.Count);
        }
        if (sounds.Count == 0)
            throw new OneshotException($"None of the {pending.Count} sounds could be read; first reason: " +
                $"{skipped[0].Item2}");

        var allLatents = sounds.Select(s => s.Latent).ToArray();
        var (mean, axes, share) = PrincipalPlane(allLatents);
        double[][]? layout = null;
        string layoutKind = "pca";
        if (sounds.Count > Tsne.MaximumPoints)
            message?.Invoke($"{sounds.Count} sounds: more than t-SNE's {Tsne.MaximumPoints} here, so the map is the " +
                $"principal plane only.");
        else if (sounds.Count >= 4)
        {
            message?.Invoke($"Laying out {sounds.Count} sounds (t-SNE)…");
            layout = Tsne.Embed(allLatents, perplexity, seed: seed, threads: threads);
            layoutKind = "tsne";
        }
        var mapped = sounds.Select((s, i) => s.Sound with { Pca = Project(s.Latent, mean, axes), Layout = layout?[i] })
            .ToArray();
        var map = new SoundMap(SoundMap.CurrentVersion, Path.GetFullPath(runner.Directory), modelHash, layoutKind, mean,
            axes, share, mapped);

        Directory.CreateDirectory(outDirectory);
        NpyFile.Write(Path.Combine(outDirectory, SoundMap.LatentsFile), [.. allLatents.SelectMany(z => z)],
            [allLatents.Length, runner.LatentSize]);
        AtomicFile.WriteAllText(Path.Combine(outDirectory, SoundMap.JsonFile),
            JsonSerializer.Serialize(map, SoundMap.Json));
        return new MapResult(map, encoded, reused, skipped);
    }

    /// <summary>Every input's sounds, in a stable order, each with how to read it when it must be encoded.</summary>
    static List<Pending> Collect(ModelRunner runner, IReadOnlyList<string> inputs, List<ClipStore> stores)
    {
        var pending = new List<Pending>();
        var files = new List<string>();
        foreach (string input in inputs)
        {
            if (Directory.Exists(input) && File.Exists(Path.Combine(input, DatasetFormat.DatasetFile)))
            {
                var store = new ClipStore(input);
                stores.Add(store);
                if (store.SampleRate != runner.SampleRate || store.Length != runner.ClipLength)
                    throw new OneshotException($"The dataset '{input}' has {store.Length} samples at " +
                        $"{store.SampleRate} Hz; the model works on {runner.ClipLength} at {runner.SampleRate} Hz.");
                string hash = store.Info.Hash;
                for (int i = 0; i < store.Count; i++)
                {
                    var meta = store.Meta[i];
                    int index = i;
                    pending.Add(new Pending(meta.Source, $"{Path.GetFullPath(input)}#{meta.Id}@{hash}",
                        meta.TextLabel("class"), () => (store.Read(index), meta.Descriptors)));
                }
            }
            else files.Add(input);
        }
        if (files.Count > 0)
            foreach (var source in InputScanner.Scan(files, GroupRule.Folder).Where(s => s.SkipReason is null))
            {
                var info = new FileInfo(source.Key);
                string path = info.FullName;
                pending.Add(new Pending(source.Key, $"{path}|{info.Length}|{info.LastWriteTimeUtc.Ticks}", null, () =>
                {
                    var clip = runner.PrepareFile(path);
                    return (clip, Descriptors.Compute(clip, runner.SampleRate));
                }));
            }
        return pending;
    }

    /// <summary>The mean of the latents and their two principal directions (unit vectors), with each one's share of the
    /// variance.</summary>
    static (double[] Mean, double[][] Axes, double[] Share) PrincipalPlane(float[][] latents)
    {
        using var scope = NewDisposeScope();
        int n = latents.Length, d = latents[0].Length;
        var z = tensor(latents.SelectMany(v => v.Select(x => (double)x)).ToArray(), [n, d]);
        var mean = z.mean([0L]);
        var centred = z - mean;
        var covariance = centred.t().matmul(centred).DividedBy(Math.Max(1, n - 1));
        var (values, vectors) = linalg.eigh(covariance);   // ascending
        double total = Math.Max(values.sum().item<double>(), 1e-300);
        var axes = new double[2][];
        var share = new double[2];
        for (int k = 0; k < 2; k++)
        {
            int column = d - 1 - k;
            axes[k] = column >= 0 ? vectors[.., column].data<double>().ToArray() : new double[d];
            // An eigenvector's sign is arbitrary: point each axis so its largest component is positive, so rebuilds
            // agree.
            if (axes[k].Length > 0 && axes[k].MaxBy(Math.Abs) < 0) axes[k] = [.. axes[k].Select(a => -a)];
            share[k] = column >= 0 ? Math.Max(0, values[column].item<double>()) / total : 0;
        }
        return (mean.data<double>().ToArray(), axes, share);
    }

    static double[] Project(float[] latent, double[] mean, double[][] axes) =>
        [.. axes.Select(axis => axis.Select((a, k) => a * (latent[k] - mean[k])).Sum())];
}
