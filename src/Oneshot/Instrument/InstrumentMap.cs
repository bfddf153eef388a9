using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Oneshot.Data;
using Oneshot.Maps;
using Oneshot.Model;

namespace Oneshot.Instrument;

/// <summary>
/// The instrument's sound map: the one `play --map` names, or else a map of the model's own training
/// clips, built the first time the page asks (into MODEL/map, so later sessions open it at once).
/// Also reads any mapped sound's original, so the page can audition it.
/// </summary>
public sealed class InstrumentMap : IDisposable
{
    public const string TrainingMapFolder = "map";

    public sealed record Loaded(SoundMap Map, float[][] Latents, string Directory, bool OfTrainingClips);

    readonly DecodeService _encoder;
    readonly string _modelDirectory;
    readonly string? _mapDirectory;
    readonly object _gate = new();
    readonly ConcurrentDictionary<string, (ClipStore Store, Dictionary<string, int> IndexOfId)> _stores = new();
    // Files for auditions are prepared one at a time: the page fetches ahead as the pointer moves,
    // and preparing several at once would take the cores a decode (a click on the map) needs.
    readonly SemaphoreSlim _preparing = new(1, 1);
    Task<Loaded>? _loading;
    // The map a folder's map replaced, back if that build fails.
    Task<Loaded>? _beforeFolder;

    readonly string? _dataDirectory;

    InstrumentMap(DecodeService encoder, string modelDirectory, string modelHash, string? mapDirectory,
        string? dataDirectory) =>
        (_encoder, _modelDirectory, ModelHash, _mapDirectory, _dataDirectory) =
            (encoder, modelDirectory, modelHash, mapDirectory, dataDirectory);

    /// <summary>The weights' hash, computed once: a map belongs to the weights that made it.</summary>
    public string ModelHash { get; }

    /// <summary>Where a build of the training clips' map is: sounds encoded of all, and the step it is on; null: no
    /// build running.</summary>
    public sealed record BuildProgress(int Done, int Total, string Step);

    volatile BuildProgress? _progress;
    public BuildProgress? Progress => _progress;

    /// <summary>Checks a named map at once (a wrong folder is an error at start, not on the page).</summary>
    /// <param name="dataDirectory">The model's dataset when it is not where training left it (`play --data`); null:
    /// that one.</param>
    public static InstrumentMap Open(DecodeService encoder, string modelDirectory, string modelHash,
        string? mapDirectory, string? dataDirectory = null)
    {
        var map = new InstrumentMap(encoder, modelDirectory, modelHash, mapDirectory, dataDirectory);
        if (mapDirectory is not null) map._loading = Task.FromResult(map.LoadNamed(mapDirectory));
        return map;
    }

    Loaded LoadNamed(string directory)
    {
        var (map, latents) = SoundMap.Load(directory);
        if (map.ModelHash != ModelHash)
            throw new OneshotException($"--map '{directory}' was made with other weights than this model's; build it " +
                $"again with `oneshot map {_modelDirectory} … --out {directory}`.");
        return new Loaded(map, latents, directory, OfTrainingClips: false);
    }

    /// <summary>Whether the map opens at once: named, or the training clips' already built for these weights.</summary>
    public bool Ready
    {
        get
        {
            if (_mapDirectory is not null) return true;
            lock (_gate)
                if (_loading is { IsCompletedSuccessfully: true })
                    return true;   // loaded once: not read again per page
            string directory = Path.Combine(_modelDirectory, TrainingMapFolder);
            try { return SoundMap.Exists(directory) && SoundMap.Load(directory).Map.ModelHash == ModelHash; }
            catch (OneshotException) { return false; }
        }
    }

    public Task<Loaded> GetAsync()
    {
        lock (_gate)
        {
            var current = _loading ??= LoadOrBuildTrainingMap();
            // A folder's map that failed is reported to whoever asked for it, then the map before it comes back.
            if (current.IsFaulted && _beforeFolder is { } before) (_loading, _beforeFolder) = (before, null);
            return current;
        }
    }

    async Task<Loaded> LoadOrBuildTrainingMap()
    {
        string directory = Path.Combine(_modelDirectory, TrainingMapFolder);
        try
        {
            if (SoundMap.Exists(directory))
            {
                var (map, latents) = SoundMap.Load(directory);
                if (map.ModelHash == ModelHash) return new Loaded(map, latents, directory, OfTrainingClips: true);
            }
            var config = _encoder.Runner.Config;
            string data = (ModelDataset.Find(config, _dataDirectory)
                ?? throw new OneshotException(ModelDataset.Missing(config, _dataDirectory,
                    "The map shows the model's training clips")
                                              + " Or build a map with `oneshot map` and start with --map.")).Directory;
            // One core left free: the build runs beside the server's requests and must not starve them.
            _progress = new BuildProgress(0, 0, "waiting for the model");
            await _encoder.RunAsync(runner =>
                SoundMapBuilder.Build(runner, [data], directory, threads: Math.Max(1, Environment.ProcessorCount - 1),
                message: text => _progress = (_progress ?? new BuildProgress(0, 0, "")) with { Step = text },
                progress: (done, total) => _progress = new BuildProgress(done, total, "encoding the training clips")));
            var (built, builtLatents) = SoundMap.Load(directory);
            return new Loaded(built, builtLatents, directory, OfTrainingClips: true);
        }
        catch
        {
            lock (_gate) _loading = null;   // the next request tries again
            throw;
        }
        finally
        {
            _progress = null;
        }
    }

    /// <summary>
    /// Maps a folder of the user's sounds in place of the current map (the page's "map a folder"): its audio files,
    /// searched recursively, encoded and laid out as `oneshot map` does, into a folder of its own under
    /// <paramref name="mapsRoot"/> (one per folder and weights, so mapping it again reuses what did not change).
    /// Returns at once; <see cref="GetAsync"/> answers when the map is built, <see cref="Progress"/> meanwhile.
    /// </summary>
    public void MapFolder(string folder, string mapsRoot)
    {
        if (string.IsNullOrWhiteSpace(folder) || !Directory.Exists(folder))
            throw new OneshotException($"'{folder}' is not a folder on this computer: give the full path of a folder " +
                "of audio files (it is searched recursively).");
        string full = Path.GetFullPath(folder);
        string directory = Path.Combine(mapsRoot, $"{Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar))}-" +
            $"{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(full + "|" + ModelHash)))[..12]}");
        lock (_gate)
        {
            if (_loading is { IsCompleted: false })
                throw new OneshotException("A map is being built already; map the folder when it is done.");
            _beforeFolder = _loading;
            _loading = BuildFolder(full, directory);
        }
    }

    async Task<Loaded> BuildFolder(string folder, string directory)
    {
        try
        {
            _progress = new BuildProgress(0, 0, "waiting for the model");
            await _encoder.RunAsync(runner =>
                SoundMapBuilder.Build(runner, [folder], directory, threads: Math.Max(1, Environment.ProcessorCount - 1),
                message: text => _progress = (_progress ?? new BuildProgress(0, 0, "")) with { Step = text },
                progress: (done, total) => _progress = new BuildProgress(done, total, $"encoding {folder}")));
            var (built, latents) = SoundMap.Load(directory);
            return new Loaded(built, latents, directory, OfTrainingClips: false);
        }
        finally
        {
            _progress = null;
        }
    }

    /// <summary>The prepared original of sound <paramref name="index"/>: a dataset's clip, or the file prepared as the
    /// model's clips are.</summary>
    public async Task<float[]> OriginalAsync(int index)
    {
        var loaded = await GetAsync();
        if (index < 0 || index >= loaded.Map.Sounds.Length)
            throw new OneshotException($"The map has {loaded.Map.Sounds.Length} sounds; there is no sound {index}.");
        string key = loaded.Map.Sounds[index].Key;
        int hashMark = key.LastIndexOf('@'), idMark = key.LastIndexOf('#');
        if (idMark > 0 && hashMark > idMark)
        {
            string dataset = key[..idMark], id = key[(idMark + 1)..hashMark];
            var (store, indexOfId) = _stores.GetOrAdd(dataset, path =>
            {
                var opened = new ClipStore(path);
                return (opened, Enumerable.Range(0, opened.Count).ToDictionary(i => opened.Meta[i].Id));
            });
            if (!indexOfId.TryGetValue(id, out int clip))
                throw new OneshotException($"Clip '{id}' is no longer in '{dataset}'; build the map again.");
            return store.Read(clip);
        }
        string path = key[..key.IndexOf('|')];
        await _preparing.WaitAsync();
        try { return await Task.Run(() => _encoder.Runner.PrepareFile(path)); }
        finally { _preparing.Release(); }
    }

    public void Dispose()
    {
        foreach (var (store, _) in _stores.Values) store.Dispose();
        _preparing.Dispose();
    }
}
