using Oneshot.Data;
using Oneshot.Model;

namespace Oneshot.Training;

/// <summary>
/// The model directory of a training run: a new run's config written, or a stored run's config
/// checked against its dataset on --resume; and the datasets of --also-train-on opened beside it.
/// </summary>
public static class RunDirectory
{
    public sealed class ExtraStores : IDisposable
    {
        public List<ClipStore> Items { get; } = [];
        public void Dispose() { foreach (var store in Items) store.Dispose(); }

        /// <summary>
        /// The --also-train-on datasets a trained model records that are still there; <paramref name="missing"/>
        /// hears of each that is not (a prior or the controls may be refitted where they are gone, unlike a resumed
        /// run).
        /// </summary>
        public static ExtraStores OpenPresent(IReadOnlyList<string> directories, ClipStore main, Action<string> missing)
        {
            var stores = new ExtraStores();
            try
            {
                foreach (string directory in directories)
                {
                    if (Directory.Exists(directory)) stores.Items.Add(OpenExtraData(directory, main));
                    else missing(directory);
                }
                return stores;
            }
            catch
            {
                stores.Dispose();
                throw;
            }
        }

        /// <summary>The clips training learns from: the main dataset's train split, then every clip of each extra
        /// dataset.</summary>
        public TrainingClip[] TrainingClips(ClipStore main, int[] trainIndices) =>
            [.. trainIndices.Select(i => new TrainingClip(main, i))
                .Concat(Items.SelectMany(extra => Enumerable.Range(0, extra.Count)
                .Select(i => new TrainingClip(extra, i))))];
    }

    /// <summary>A dataset of `--also-train-on`: it must match the main one in rate and clip length.</summary>
    public static ClipStore OpenExtraData(string directory, ClipStore main)
    {
        if (!Directory.Exists(directory))
            throw new OneshotException($"--also-train-on '{directory}': no such dataset folder.");
        if (Path.GetFullPath(directory) == Path.GetFullPath(main.Directory))
            throw new OneshotException($"--also-train-on '{directory}' is the --data dataset itself; its test kits " +
                $"would then be trained on.");
        var extra = new ClipStore(directory);
        if (extra.SampleRate != main.SampleRate || extra.Length != main.Length)
        {
            extra.Dispose();
            throw new OneshotException($"--also-train-on '{directory}' has {extra.Length}-sample clips at " +
                $"{extra.SampleRate} Hz, but '{main.Directory}' has {main.Length} at {main.SampleRate} Hz; prepare " +
                $"it with --sample-rate {main.SampleRate} --length {main.Length}.");
        }
        return extra;
    }

    /// <summary>Checks the directories and returns the config this run uses (new, or the stored one on
    /// resume).</summary>
    public static RunConfig Prepare(TrainRequest request, ClipStore store)
    {
        string directory = request.ModelDirectory;
        string trainDirectory = Path.Combine(directory, ModelDirectory.TrainFolder);
        // Checkpoints and weights half-written when an earlier run was killed.
        AtomicFile.RemoveStale(directory);
        AtomicFile.RemoveStale(trainDirectory);
        if (request.Resume)
        {
            if (!ModelDirectory.Exists(directory))
                throw new OneshotException($"--resume: '{directory}' holds no training run to resume (no " +
                    $"{ModelDirectory.ConfigFile}). Leave out --resume to start one.");
            var stored = RunConfig.Load(Path.Combine(directory, ModelDirectory.ConfigFile));
            // Training and stage-2 settings may change (e.g. start stage 2 now); the model's architecture is the
            // checkpoint's.
            var model = request.ResumeOverrides.FirstOrDefault(o =>
                !o.TrimStart().StartsWith("train.", StringComparison.Ordinal)
                && !o.TrimStart().StartsWith("stage2.", StringComparison.Ordinal));
            if (model is not null)
                throw new OneshotException($"--set {model}: only train.* and stage2.* settings can change when " +
                    $"resuming; the architecture is fixed by the checkpoint.");
            var config = stored.With(request.ResumeOverrides);
            config.Validate();
            if (config.Dataset.Hash != store.Info.Hash)
                throw new OneshotException($"--resume: '{store.Directory}' is not the dataset this model was trained " +
                    $"on (hash {DatasetInfo.ShortHash(store.Info.Hash)}, the model records " +
                    $"{DatasetInfo.ShortHash(config.Dataset.Hash)} from '{config.Dataset.Path}').");
            if (!VaeCheckpoints.ExistIn(trainDirectory))
                throw new OneshotException($"--resume: '{trainDirectory}' has no checkpoint yet; start again without " +
                    $"--resume (add --force to replace the directory).");
            if (request.ResumeOverrides.Count > 0) ModelDirectory.SaveConfig(directory, config);
            return config;
        }

        if (ModelDirectory.Exists(directory)
            || (Directory.Exists(trainDirectory) && Directory.EnumerateFileSystemEntries(trainDirectory).Any()))
        {
            if (!request.Force)
                throw new OneshotException($"'{directory}' already holds a model. Continue its training with " +
                    $"--resume, or start over with --force (its files are replaced).");
            foreach (string file in new[] { ModelDirectory.ConfigFile, ModelDirectory.WeightsFile,
                ModelDirectory.LatentFile })
                AtomicFile.TryDelete(Path.Combine(directory, file));
            if (Directory.Exists(trainDirectory)) Directory.Delete(trainDirectory, recursive: true);
        }
        var fresh = request.Config with
        {
            Model = request.Config.Model with { SampleRate = store.SampleRate, ClipLength = store.Length },
            Dataset = new DatasetReference { Path = Path.GetFullPath(store.Directory), Hash = store.Info.Hash,
                Preparation = store.Info.Options },
        };
        fresh.Validate();
        ModelDirectory.SaveConfig(directory, fresh);
        return fresh;
    }
}
