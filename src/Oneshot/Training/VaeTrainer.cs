using System.Diagnostics;
using System.Globalization;
using Oneshot.Audio;
using Oneshot.Model;
using Oneshot.Storage;
using TorchSharp;
using static TorchSharp.torch;
using Oneshot.Native;

namespace Oneshot.Training;

public sealed record TrainRequest
{
    public required string DataDirectory { get; init; }
    public required string ModelDirectory { get; init; }
    /// <summary>The configuration of a new run; ignored when resuming (the model's config.json rules).</summary>
    public required RunConfig Config { get; init; }
    public bool Resume { get; init; }
    /// <summary>Overrides applied to the stored config on --resume (train.* and stage2.* only).</summary>
    public IReadOnlyList<string> ResumeOverrides { get; init; } = [];
    /// <summary>Start over in a directory that already holds a run.</summary>
    public bool Force { get; init; }
    /// <summary>Stop (with a checkpoint) after this much wall-clock time in this session.</summary>
    public double? MaxMinutes { get; init; }
    /// <summary>Stop (with a checkpoint) after this many steps in this session.</summary>
    public long? MaxSessionSteps { get; init; }
    public Device? Device { get; init; }
}

public sealed record TrainProgress(long Step, long TotalSteps, double ClipsPerSecond, double Loss, double Spectral, double Kl, double Beta, double LearningRate, TimeSpan Elapsed);

public enum TrainOutcome { Finished, TimeLimit, StepLimit, Interrupted }

/// <summary>ScheduledSteps: train.steps, the step the learning rate anneals towards; LearningRate: its value at the last step.</summary>
public sealed record TrainResult(TrainOutcome Outcome, long Step, ValidationResult? LastValidation, string ModelDirectory, long SkippedSteps,
                                 long ScheduledSteps, double LearningRate);

/// <summary>
/// `oneshot train`: a <see cref="WaveformVae"/> from a dataset directory into a model directory —
/// stage 1 (<see cref="Stage1Step"/>), then stage 2 from <see cref="Stage2Config.StartStep"/>
/// (<see cref="Stage2Step"/>) — with background batches, logging to metrics.csv and TensorBoard,
/// validation with WAV examples, atomic checkpoints that resume exactly, and latent.json at the end.
/// </summary>
public sealed class VaeTrainer
{
    const int LogEvery = 25;
    const string CheckpointPrefix = "checkpoint-";
    const string BestCheckpoint = "best.safetensors";
    const string BestLogMelKey = "best_log_mel_l1";
    const string Stage2Prefix = "stage2.discriminators.";

    public Action<TrainProgress>? OnStep { get; init; }
    public Action<ValidationResult>? OnValidation { get; init; }
    public Action<string>? OnMessage { get; init; }

    public TrainResult Run(TrainRequest request, CancellationToken cancellation = default)
    {
        var device = request.Device ?? CPU;
        using var store = new ClipStore(request.DataDirectory);
        var config = PrepareDirectory(request, store);
        string trainDirectory = Path.Combine(request.ModelDirectory, ModelDirectory.TrainFolder);
        Directory.CreateDirectory(trainDirectory);

        random.manual_seed(config.Train.Seed);
        // For hunting the source of a non-finite gradient: libtorch then names the backward op that
        // produced it (and the step fails there instead of being skipped). Slow; debugging only.
        bool detectAnomaly = Environment.GetEnvironmentVariable("ONESHOT_DETECT_ANOMALY") == "1";
        if (detectAnomaly) OnMessage?.Invoke("ONESHOT_DETECT_ANOMALY=1: autograd anomaly detection is on (slow).");
        autograd.set_detect_anomaly(detectAnomaly);
        using var model = new WaveformVae(config.Model);
        model.to(device);
        using var step = new Stage1Step(model, config.Train, device);
        Stage2Step? stage2 = null;
        Stage2Step StartStage2()
        {
            OnMessage?.Invoke($"Stage 2 from step {config.Stage2.StartStep}: encoder frozen, decoder fine-tuned against {config.Stage2.Periods.Length + config.Stage2.Scales + config.Stage2.StftSizes.Length} discriminators.");
            return stage2 = new Stage2Step(model, step.Loss, config.Train, config.Stage2, device);
        }
        long startStep = 0, skippedTotal = 0;
        double elapsedBefore = 0, bestLogMel = double.PositiveInfinity;
        if (request.Resume)
            (startStep, elapsedBefore, bestLogMel, skippedTotal) = LoadCheckpoint(trainDirectory, model, step.Optimizer, () => stage2 ?? StartStage2());

        var trainIndices = store.IndicesOf("train");
        var validIndices = store.IndicesOf("valid");
        if (config.Train.ValidationClips > 0) validIndices = validIndices.Take(config.Train.ValidationClips).ToArray();
        using var validator = new Validator(store, validIndices, config.Train.Examples, config.Train.Seed);
        if (validator.Count == 0) OnMessage?.Invoke("The dataset has no validation clips: validation is skipped.");
        var metrics = new MetricsLog(Path.Combine(trainDirectory, "metrics.csv"), startStep);
        using var board = new TensorBoardLog(Path.Combine(trainDirectory, "tensorboard"));
        WriteOriginalExamples(trainDirectory, validator, store.SampleRate, board, startStep);

        using var extraStores = new ExtraStores();
        foreach (string directory in config.Train.ExtraData) extraStores.Items.Add(OpenExtraData(directory, store));
        var trainingClips = trainIndices.Select(i => (store, i))
            .Concat(extraStores.Items.SelectMany(extra => Enumerable.Range(0, extra.Count).Select(i => (extra, i))))
            .ToList();
        if (trainingClips.Count == 0) throw new OneshotException($"'{request.DataDirectory}' has no training clips; prepare it with a train split, or add clips with --also-train-on.");
        if (extraStores.Items.Count > 0)
            OnMessage?.Invoke($"Training on {trainingClips.Count} clips: {trainIndices.Length} from {request.DataDirectory} and {trainingClips.Count - trainIndices.Length} from {string.Join(", ", config.Train.ExtraData)}.");
        using var loader = new BatchLoader(trainingClips, config.Train, firstBatch: startStep);
        var session = Stopwatch.StartNew();
        long current = startStep, sessionSteps = 0, badInARow = 0, lastCheckpoint = startStep;
        ValidationResult? lastValidation = null;
        var window = new RunningMeans();
        var outcome = TrainOutcome.Finished;
        double Elapsed() => elapsedBefore + session.Elapsed.TotalSeconds;

        while (current < config.Train.Steps)
        {
            if (cancellation.IsCancellationRequested) { outcome = TrainOutcome.Interrupted; break; }
            if (request.MaxMinutes is double minutes && session.Elapsed.TotalMinutes >= minutes) { outcome = TrainOutcome.TimeLimit; break; }
            if (request.MaxSessionSteps is long limit && sessionSteps >= limit) { outcome = TrainOutcome.StepLimit; break; }

            var batch = loader.Next();
            bool inStage2 = config.Stage2.StartStep is int start && current >= start;
            model.NoiseEnabled = WaveformVae.NoiseOnAt(config, current);
            var result = inStage2 ? (stage2 ?? StartStage2()).Run(batch, current) : step.Run(batch, current);
            if (!result.Applied)
            {
                badInARow++;
                skippedTotal++;
                OnMessage?.Invoke($"step {current}: non-finite {(double.IsFinite(result.Loss) ? $"gradient ({result.NonFiniteGradients ?? "?"} tensors)" : "loss")}; the step was skipped ({badInARow} in a row).");
                if (badInARow >= config.Train.MaxBadSteps)
                {
                    SaveCheckpoint(trainDirectory, model, step.Optimizer, stage2, current, Elapsed(), bestLogMel, skippedTotal, config.Train.KeepCheckpoints);
                    throw new OneshotException($"Training diverged: {badInARow} steps in a row had a non-finite loss or gradient (at step {current}). " +
                        "Lower the learning rate (--set train.learning_rate=...) or the gradient clip, then resume with --resume; the last good checkpoint is kept.");
                }
            }
            else
            {
                badInARow = 0;
                window.Add(result, batch.Size);
            }
            current++;
            sessionSteps++;

            if (current % LogEvery == 0 || current == config.Train.Steps)
            {
                var values = window.Flush(config.Train, current);
                if (values is not null)
                {
                    metrics.Append(values, current, "train");
                    foreach (var (name, value) in values) board.Scalar($"train/{name}", value, current);
                }
            }
            OnStep?.Invoke(new TrainProgress(current, config.Train.Steps, window.ClipsPerSecond, window.LastLoss, window.LastSpectral, window.LastKl,
                Schedules.Beta(config.Train, current - 1), Schedules.LearningRate(config.Train, current - 1), TimeSpan.FromSeconds(Elapsed())));

            if (current % config.Train.ValidateEvery == 0 && validator.Count > 0)
            {
                lastValidation = Validate(model, step, validator, config, current, device, trainDirectory, metrics, board, Elapsed(), store.SampleRate);
                // Log-mel L1 rather than the spectral distance: its floor (about −104 dB) ignores hiss in
                // silent tails that nobody hears, which the ε = 1e-7 distance counts heavily.
                if (lastValidation.LogMelL1 < bestLogMel)
                {
                    bestLogMel = lastValidation.LogMelL1;
                    SaveWeights(Path.Combine(trainDirectory, BestCheckpoint), model, current);
                }
                SaveWeights(Path.Combine(request.ModelDirectory, ModelDirectory.WeightsFile), model, current);
            }
            if (current % config.Train.CheckpointEvery == 0)
            {
                SaveCheckpoint(trainDirectory, model, step.Optimizer, stage2, current, Elapsed(), bestLogMel, skippedTotal, config.Train.KeepCheckpoints);
                lastCheckpoint = current;
            }
        }

        if (lastCheckpoint != current)
            SaveCheckpoint(trainDirectory, model, step.Optimizer, stage2, current, Elapsed(), bestLogMel, skippedTotal, config.Train.KeepCheckpoints);
        if (current > 0)
        {
            SaveWeights(Path.Combine(request.ModelDirectory, ModelDirectory.WeightsFile), model, current);
            if (trainIndices.Length > 0)
            {
                OnMessage?.Invoke($"Analysing the latent space of {trainIndices.Length} training clips (latent.json)…");
                ModelDirectory.SaveLatent(request.ModelDirectory, AnalyseLatents(model, store, trainIndices, current, device, config.Train.BatchSize));
            }
        }
        return new TrainResult(outcome, current, lastValidation, request.ModelDirectory, skippedTotal,
                               config.Train.Steps, Schedules.LearningRate(config.Train, Math.Max(0, current - 1)));
    }

    /// <summary>Checks the directories and returns the config this run uses (new, or the stored one on resume).</summary>
    sealed class ExtraStores : IDisposable
    {
        public List<ClipStore> Items { get; } = [];
        public void Dispose() { foreach (var store in Items) store.Dispose(); }
    }

    /// <summary>A dataset of `--also-train-on`: it must match the main one in rate and clip length.</summary>
    static ClipStore OpenExtraData(string directory, ClipStore main)
    {
        if (!Directory.Exists(directory)) throw new OneshotException($"--also-train-on '{directory}': no such dataset folder.");
        if (Path.GetFullPath(directory) == Path.GetFullPath(main.Directory))
            throw new OneshotException($"--also-train-on '{directory}' is the --data dataset itself; its test kits would then be trained on.");
        var extra = new ClipStore(directory);
        if (extra.SampleRate != main.SampleRate || extra.Length != main.Length)
        {
            extra.Dispose();
            throw new OneshotException($"--also-train-on '{directory}' has {extra.Length}-sample clips at {extra.SampleRate} Hz, but '{main.Directory}' has {main.Length} at {main.SampleRate} Hz; prepare it with --sample-rate {main.SampleRate} --length {main.Length}.");
        }
        return extra;
    }

    static RunConfig PrepareDirectory(TrainRequest request, ClipStore store)
    {
        string directory = request.ModelDirectory;
        string trainDirectory = Path.Combine(directory, ModelDirectory.TrainFolder);
        if (request.Resume)
        {
            if (!ModelDirectory.Exists(directory))
                throw new OneshotException($"--resume: '{directory}' holds no training run to resume (no {ModelDirectory.ConfigFile}). Leave out --resume to start one.");
            var stored = RunConfig.Load(Path.Combine(directory, ModelDirectory.ConfigFile));
            // Training and stage-2 settings may change (e.g. start stage 2 now); the model's architecture is the checkpoint's.
            var model = request.ResumeOverrides.FirstOrDefault(o => !o.TrimStart().StartsWith("train.", StringComparison.Ordinal) && !o.TrimStart().StartsWith("stage2.", StringComparison.Ordinal));
            if (model is not null) throw new OneshotException($"--set {model}: only train.* and stage2.* settings can change when resuming; the architecture is fixed by the checkpoint.");
            var config = stored.With(request.ResumeOverrides);
            config.Validate();
            if (config.Dataset.Hash != store.Info.Hash)
                throw new OneshotException($"--resume: '{store.Directory}' is not the dataset this model was trained on (hash {Short(store.Info.Hash)}, the model records {Short(config.Dataset.Hash)} from '{config.Dataset.Path}').");
            if (!Directory.EnumerateFiles(trainDirectory, CheckpointPrefix + "*.safetensors").Any())
                throw new OneshotException($"--resume: '{trainDirectory}' has no checkpoint yet; start again without --resume (add --force to replace the directory).");
            if (request.ResumeOverrides.Count > 0) ModelDirectory.SaveConfig(directory, config);
            return config;
        }

        if (ModelDirectory.Exists(directory) || (Directory.Exists(trainDirectory) && Directory.EnumerateFileSystemEntries(trainDirectory).Any()))
        {
            if (!request.Force)
                throw new OneshotException($"'{directory}' already holds a model. Continue its training with --resume, or start over with --force (its files are replaced).");
            foreach (string file in new[] { ModelDirectory.ConfigFile, ModelDirectory.WeightsFile, ModelDirectory.LatentFile })
                AtomicFile.TryDelete(Path.Combine(directory, file));
            if (Directory.Exists(trainDirectory)) Directory.Delete(trainDirectory, recursive: true);
        }
        var fresh = request.Config with
        {
            Model = request.Config.Model with { SampleRate = store.SampleRate, ClipLength = store.Length },
            Dataset = new DatasetReference { Path = Path.GetFullPath(store.Directory), Hash = store.Info.Hash, Preparation = store.Info.Options },
        };
        fresh.Validate();
        ModelDirectory.SaveConfig(directory, fresh);
        return fresh;
    }

    static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;

    ValidationResult Validate(WaveformVae model, Stage1Step step, Validator validator, RunConfig config, long current, Device device,
                              string trainDirectory, MetricsLog metrics, TensorBoardLog board, double elapsed, int sampleRate)
    {
        var result = validator.Run(model, step.Loss, config.Train, current, device, config.Train.BatchSize);
        var values = new Dictionary<string, double>
        {
            ["elapsed_s"] = elapsed, ["beta"] = Schedules.Beta(config.Train, current), ["loss"] = result.Loss, ["spectral"] = result.Spectral,
            ["band_spectral"] = result.BandSpectral, ["kl"] = result.Kl, ["log_mel_l1"] = result.LogMelL1, ["si_sdr_db"] = result.SiSdrDb,
            ["active_units"] = result.ActiveUnits,
        };
        metrics.Append(values, current, "valid");
        foreach (var (name, value) in values.Where(v => v.Key is not ("elapsed_s" or "beta")))
            board.Scalar($"valid/{name}", value, current);

        string examples = Path.Combine(trainDirectory, "examples", $"step-{current:D8}");
        Directory.CreateDirectory(examples);
        for (int i = 0; i < result.ExampleReconstructions.Length; i++)
        {
            var audio = ClipShaping.Limited(result.ExampleReconstructions[i]);
            var spectrogram = Spectrogram.Of(audio);
            WavWriter.Write(Path.Combine(examples, $"example-{i}.wav"), audio, sampleRate);
            File.WriteAllBytes(Path.Combine(examples, $"example-{i}.png"), spectrogram.Png);
            board.Image($"reconstruction/{i}", spectrogram.Png, spectrogram.Width, spectrogram.Height, current);
            board.Audio($"reconstruction/{i}", audio, sampleRate, current);
        }
        OnValidation?.Invoke(result);
        return result;
    }

    static void WriteOriginalExamples(string trainDirectory, Validator validator, int sampleRate, TensorBoardLog board, long step)
    {
        string folder = Path.Combine(trainDirectory, "examples", "original");
        Directory.CreateDirectory(folder);
        var examples = validator.Examples;
        for (int i = 0; i < examples.Count; i++)
        {
            var spectrogram = Spectrogram.Of(examples[i]);
            WavWriter.Write(Path.Combine(folder, $"example-{i}.wav"), examples[i], sampleRate);
            File.WriteAllBytes(Path.Combine(folder, $"example-{i}.png"), spectrogram.Png);
            board.Image($"original/{i}", spectrogram.Png, spectrogram.Width, spectrogram.Height, step);
            board.Audio($"original/{i}", examples[i], sampleRate, step);
        }
    }

    static void SaveWeights(string path, WaveformVae model, long step) =>
        Safetensors.Save(path, ModelDirectory.Weights(model), new Dictionary<string, string> { ["step"] = step.ToString(CultureInfo.InvariantCulture) });

    static void SaveCheckpoint(string trainDirectory, WaveformVae model, AdamOptimizer optimizer, Stage2Step? stage2, long step, double elapsed, double bestLogMel, long skipped, int keep)
    {
        var tensors = ModelDirectory.Weights(model).ToDictionary(p => "model." + p.Key, p => p.Value);
        foreach (var (name, value) in optimizer.State()) tensors[name] = value;
        var metadata = new Dictionary<string, string>();
        if (stage2 is not null)
        {
            foreach (var (name, value) in ModelDirectory.Weights(stage2.Discriminators)) tensors[Stage2Prefix + name] = value;
            foreach (var (name, value) in stage2.DecoderOptimizer.State().Concat(stage2.DiscriminatorOptimizer.State())) tensors[name] = value;
            metadata["stage2_decoder_adam_steps"] = stage2.DecoderOptimizer.Steps.ToString(CultureInfo.InvariantCulture);
            metadata["stage2_discriminator_adam_steps"] = stage2.DiscriminatorOptimizer.Steps.ToString(CultureInfo.InvariantCulture);
        }
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["step"] = step.ToString(CultureInfo.InvariantCulture),
            ["adam_steps"] = optimizer.Steps.ToString(CultureInfo.InvariantCulture),
            ["elapsed_s"] = elapsed.ToString("R", CultureInfo.InvariantCulture),
            [BestLogMelKey] = bestLogMel.ToString("R", CultureInfo.InvariantCulture),
            ["skipped_steps"] = skipped.ToString(CultureInfo.InvariantCulture),
        }) metadata[key] = value;
        Safetensors.Save(Path.Combine(trainDirectory, $"{CheckpointPrefix}{step:D8}.safetensors"), tensors, metadata);
        foreach (string old in Checkpoints(trainDirectory).SkipLast(keep)) AtomicFile.TryDelete(old);
    }

    static IEnumerable<string> Checkpoints(string trainDirectory) =>
        Directory.EnumerateFiles(trainDirectory, CheckpointPrefix + "*.safetensors").Order(StringComparer.Ordinal);

    /// <param name="stage2">Creates the stage-2 state when the checkpoint was written in stage 2.</param>
    static (long Step, double Elapsed, double BestLogMel, long Skipped) LoadCheckpoint(string trainDirectory, WaveformVae model, AdamOptimizer optimizer, Func<Stage2Step> stage2)
    {
        string path = Checkpoints(trainDirectory).Last();
        using var contents = Safetensors.Load(path);
        string origin = $"Checkpoint '{path}'";
        ModelDirectory.LoadWeights(model, contents.Tensors.Where(p => p.Key.StartsWith("model.", StringComparison.Ordinal)).ToDictionary(), origin, prefix: "model.");
        double Read(string key) => contents.Metadata.TryGetValue(key, out var text) && double.TryParse(text, CultureInfo.InvariantCulture, out double v)
            ? v : throw new OneshotException($"{origin} lacks '{key}' in its metadata; it was not written by `oneshot train`.");
        optimizer.Load(contents.Tensors, (long)Read("adam_steps"), origin);
        if (contents.Tensors.Keys.Any(k => k.StartsWith(Stage2Prefix, StringComparison.Ordinal)))
        {
            var state = stage2();
            ModelDirectory.LoadWeights(state.Discriminators, contents.Tensors.Where(p => p.Key.StartsWith(Stage2Prefix, StringComparison.Ordinal)).ToDictionary(), origin, prefix: Stage2Prefix);
            state.DecoderOptimizer.Load(contents.Tensors, (long)Read("stage2_decoder_adam_steps"), origin);
            state.DiscriminatorOptimizer.Load(contents.Tensors, (long)Read("stage2_discriminator_adam_steps"), origin);
        }
        // Checkpoints from before best was ranked by log-mel L1 have none: the next validation is best.
        double best = contents.Metadata.ContainsKey(BestLogMelKey) ? Read(BestLogMelKey) : double.PositiveInfinity;
        return ((long)Read("step"), Read("elapsed_s"), best, (long)Read("skipped_steps"));
    }

    /// <summary>latent.json: PCA of the deterministic latents of the training clips.</summary>
    public static LatentStatistics AnalyseLatents(WaveformVae model, ClipStore store, int[] indices, long step, Device device, int batchSize)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            int n = model.Config.LatentSize;
            var latents = new float[indices.Length * n];
            for (int start = 0; start < indices.Length; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int count = Math.Min(batchSize, indices.Length - start);
                var clips = stack(indices.Skip(start).Take(count).Select(i => tensor(store.Read(i))).ToArray()).to(device);
                model.EncodeMean(clips).cpu().data<float>().ToArray().CopyTo(latents, start * n);
            }
            return LatentAnalysis.Compute(latents, indices.Length, n, "train", step);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Averages of the steps since the last log row.</summary>
    sealed class RunningMeans
    {
        readonly Stopwatch _clock = Stopwatch.StartNew();
        double _loss, _spectral, _bands, _kl, _norm, _adversarial, _matching, _discriminator;
        int _steps, _clips, _stage2Steps, _discriminatorSteps;
        readonly Queue<(double Time, int Clips)> _recent = new();

        public double LastLoss { get; private set; } = double.NaN;
        public double LastSpectral { get; private set; } = double.NaN;
        public double LastKl { get; private set; } = double.NaN;

        public double ClipsPerSecond
        {
            get
            {
                if (_recent.Count < 2) return 0;
                double seconds = _recent.Last().Time - _recent.First().Time;
                return seconds > 0 ? _recent.Skip(1).Sum(r => r.Clips) / seconds : 0;
            }
        }

        public void Add(StepResult result, int clips)
        {
            _loss += result.Loss; _spectral += result.Spectral; _bands += result.BandSpectral; _kl += result.Kl; _norm += result.GradNorm;
            if (double.IsFinite(result.Adversarial)) { _adversarial += result.Adversarial; _matching += result.FeatureMatching; _stage2Steps++; }
            if (double.IsFinite(result.DiscriminatorLoss)) { _discriminator += result.DiscriminatorLoss; _discriminatorSteps++; }
            _steps++;
            _clips += clips;
            LastLoss = result.Loss; LastSpectral = result.Spectral; LastKl = result.Kl;
            _recent.Enqueue((_clock.Elapsed.TotalSeconds, clips));
            while (_recent.Count > 20) _recent.Dequeue();
        }

        public Dictionary<string, double>? Flush(TrainConfig config, long step)
        {
            if (_steps == 0) return null;
            var values = new Dictionary<string, double>
            {
                ["learning_rate"] = Schedules.LearningRate(config, step - 1),
                ["beta"] = Schedules.Beta(config, step - 1),
                ["loss"] = _loss / _steps, ["spectral"] = _spectral / _steps, ["band_spectral"] = _bands / _steps,
                ["kl"] = _kl / _steps, ["grad_norm"] = _norm / _steps, ["clips_per_s"] = ClipsPerSecond,
            };
            if (_stage2Steps > 0)
            {
                values["adversarial"] = _adversarial / _stage2Steps;
                values["feature_matching"] = _matching / _stage2Steps;
            }
            if (_discriminatorSteps > 0) values["discriminator"] = _discriminator / _discriminatorSteps;
            _loss = _spectral = _bands = _kl = _norm = _adversarial = _matching = _discriminator = 0;
            _steps = _clips = _stage2Steps = _discriminatorSteps = 0;
            return values;
        }
    }
}
