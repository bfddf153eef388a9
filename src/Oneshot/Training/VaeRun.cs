using System.Diagnostics;
using System.Globalization;
using Oneshot.Data;
using Oneshot.Model;
using Oneshot.Optimisation;
using Oneshot.Storage;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Training;

/// <summary>
/// One training run of <see cref="VaeTrainer"/>: the model, its optimiser steps, the data, the logs,
/// and the counters a checkpoint keeps — opened once, resumed from its latest checkpoint, stepped,
/// validated, checkpointed, and finished with its weights and latent.json.
/// </summary>
sealed class VaeRun : IDisposable
{
    readonly TrainRequest _request;
    readonly Action<string>? _message;
    readonly ClipStore _store;
    readonly WaveformVae _model;
    readonly Stage1Step _stage1;
    readonly WeightAverage? _average;
    readonly VaeCheckpoints _checkpoints;
    readonly Validator _validator;
    TrainingLog? _log;
    readonly RunDirectory.ExtraStores _extraStores;
    readonly TrainingClip[] _trainingClips;
    readonly int[] _validIndices;
    readonly string _trainDirectory;
    readonly Device _device;
    BatchLoader? _loader;
    Stage2Step? _stage2;

    // What a checkpoint keeps, and this session's own counters.
    long _startStep, _skippedTotal, _badInARow, _lastCheckpoint;
    double _elapsedBefore, _bestLogMel = double.PositiveInfinity;
    double? _cpuBefore = 0;
    readonly Stopwatch _session = new();
    TimeSpan _cpuAtStart;
    readonly RunningMeans _window = new();
    ValidationResult? _lastValidation;

    public RunConfig Config { get; }
    public long Current { get; private set; }
    public long SessionSteps { get; private set; }
    public double SessionMinutes => _session.Elapsed.TotalMinutes;
    public bool CanValidate => _validator.Count > 0;

    VaeRun(TrainRequest request, Action<string>? message, ClipStore store, RunConfig config)
    {
        _request = request;
        _message = message;
        _store = store;
        Config = config;
        _device = request.Device ?? CPU;
        _trainDirectory = Path.Combine(request.ModelDirectory, ModelDirectory.TrainFolder);
        Directory.CreateDirectory(_trainDirectory);

        try
        {
            random.manual_seed(config.Train.Seed);
            // For hunting the source of a non-finite gradient: libtorch then names the backward op that
            // produced it (and the step fails there instead of being skipped). Slow; debugging only.
            bool detectAnomaly = Environment.GetEnvironmentVariable("ONESHOT_DETECT_ANOMALY") == "1";
            if (detectAnomaly) message?.Invoke("ONESHOT_DETECT_ANOMALY=1: autograd anomaly detection is on (slow).");
            autograd.set_detect_anomaly(detectAnomaly);
            _model = new WaveformVae(config.Model);
            // Before the optimiser and the weight average are made, so both start from these weights.
            if (!request.Resume && config.Train.InitFrom is string source)
            {
                var added = ModelDirectory.LoadWeightsFrom(_model, source);
                message?.Invoke($"Starting from the weights of {source}, with a fresh optimiser and schedule.");
                if (added.Count > 0)
                    message?.Invoke($"New decoder parts, not in {source}, start silent (FiLM) or quiet (modes): " +
                        $"{string.Join(", ", added.Select(n => n[..n.LastIndexOf('.')]).Distinct())}.");
            }
            _model.to(_device);
            _stage1 = new Stage1Step(_model, config.Train, _device);
            // With train.ema_decay, validation, the saved weights and latent.json use the averaged weights.
            _average = config.Train.EmaDecay is double decay
                ? new WeightAverage(_model.named_parameters().Select(p => (p.name, p.parameter)), decay) : null;
            _checkpoints = new VaeCheckpoints(_trainDirectory, config.Train.KeepCheckpoints);

            var trainIndices = store.IndicesOf("train");
            _validIndices = store.IndicesOf("valid");
            if (config.Train.ValidationClips > 0)
                _validIndices = _validIndices.Take(config.Train.ValidationClips).ToArray();
            _validator = new Validator(store, _validIndices, config.Train.Examples, config.Train.Seed);
            if (_validator.Count == 0) message?.Invoke("The dataset has no validation clips: validation is skipped.");
            _extraStores = new RunDirectory.ExtraStores();
            foreach (string directory in config.Train.ExtraData)
                _extraStores.Items.Add(RunDirectory.OpenExtraData(directory, store));
            _trainingClips = _extraStores.TrainingClips(store, trainIndices);
            if (_trainingClips.Length == 0)
                throw new OneshotException($"'{request.DataDirectory}' has no training clips; prepare it with a " +
                    $"train split, or add clips with --also-train-on.");
            if (_extraStores.Items.Count > 0)
                message?.Invoke($"Training on {_trainingClips.Length} clips: {trainIndices.Length} from " +
                    $"{request.DataDirectory} and {_trainingClips.Length - trainIndices.Length} from " +
                    $"{string.Join(", ", config.Train.ExtraData)}.");
        }
        catch
        {
            DisposeParts();   // what was made before the failure; Open disposes the store
            throw;
        }
    }

    public static VaeRun Open(TrainRequest request, Action<string>? message)
    {
        var store = new ClipStore(request.DataDirectory);
        try
        {
            return new VaeRun(request, message, store, RunDirectory.Prepare(request, store));
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Model, optimisers, weight average and counters from the latest checkpoint; stage 2 is built first if
    /// the checkpoint holds it.</summary>
    public void Resume()
    {
        var resumed = _checkpoints.LoadLatest(_model, _stage1.Optimizer, () => _stage2 ?? StartStage2(), _average);
        (_startStep, _elapsedBefore, _bestLogMel, _skippedTotal) =
            (resumed.Step, resumed.ElapsedSeconds, resumed.BestLogMelL1 ?? double.PositiveInfinity,
            resumed.SkippedSteps);
        _cpuBefore = resumed.CpuSeconds;
    }

    /// <summary>Clocks, the example originals and the batch stream start at the run's step (0 or the resumed
    /// one).</summary>
    public void StartSession()
    {
        _log = new TrainingLog(_trainDirectory, _startStep, _store.SampleRate);
        _log.Originals(_validator.Examples, _startStep);
        _loader = new BatchLoader(_trainingClips, Config.Train, firstBatch: _startStep);
        Current = _lastCheckpoint = _startStep;
        _session.Start();
        _cpuAtStart = ProcessorTime();
    }

    Stage2Step StartStage2()
    {
        var stage2 = Config.Stage2;
        int discriminators = stage2.Periods.Length + stage2.Scales + stage2.StftSizes.Length;
        _message?.Invoke(stage2.FreezeEncoder
            ? $"Stage 2 from step {stage2.StartStep}: encoder frozen, decoder fine-tuned against {discriminators} " +
                $"discriminators."
            : $"Stage 2 from step {stage2.StartStep}: the whole model goes on learning, now also against " +
                $"{discriminators} discriminators.");
        return _stage2 = new Stage2Step(_model, _stage1, Config.Train, stage2, _device);
    }

    /// <summary>One optimiser step of the stage the run is in; a step with a non-finite loss or gradient is skipped,
    /// and too many in a row stop the run.</summary>
    public void Step()
    {
        var batch = _loader!.Next();
        bool inStage2 = Config.Stage2.StartStep is int start && Current >= start;
        _model.NoiseEnabled = WaveformVae.NoiseOnAt(Config, Current);
        var result = inStage2 ? (_stage2 ?? StartStage2()).Run(batch, Current) : _stage1.Run(batch, Current);
        if (!result.Applied)
        {
            _badInARow++;
            _skippedTotal++;
            _message?.Invoke(
                $"step {Current}: non-finite " +
                (double.IsFinite(result.Loss) ? $"gradient ({result.NonFiniteGradients ?? "?"} tensors)" : "loss") +
                $"; the step was skipped ({_badInARow} in a row).");
            if (_badInARow >= Config.Train.MaxBadSteps)
            {
                SaveCheckpoint();
                throw new OneshotException($"Training diverged: {_badInARow} steps in a row had a non-finite loss or " +
                    $"gradient (at step {Current}). " +
                    "Lower the learning rate (--set train.learning_rate=...) or the gradient clip, then resume with " +
                        "--resume; the last good checkpoint is kept.");
            }
        }
        else
        {
            _badInARow = 0;
            _window.Add(result, batch.Size);
            _average?.Update(Current);
        }
        Current++;
        SessionSteps++;
    }

    /// <summary>The means of the steps since the last log line, to metrics.csv and TensorBoard.</summary>
    public void LogTraining()
    {
        var values = _window.Flush(Config.Train, Current);
        if (values is not null) _log!.Train(values, Current);
    }

    public TrainProgress Progress() =>
        new(Current, Config.Train.Steps, _window.ClipsPerSecond, _window.LastLoss, _window.LastSpectral, _window.LastKl,
            Schedules.Beta(Config.Train, Current - 1), Schedules.LearningRate(Config.Train, Current - 1),
                TimeSpan.FromSeconds(Elapsed()));

    /// <summary>Validation losses and examples; the weights go to the model folder, and to best.safetensors when the
    /// log-mel L1 is the best so far.</summary>
    public ValidationResult Validate()
    {
        using var averaged = _average?.Applied();
        _lastValidation = _validator.Run(_model, _stage1.Loss, Config.Train, Current, _device, Config.Train.BatchSize);
        _log!.Validation(_lastValidation, Config.Train, Current, Elapsed());
        // Log-mel L1 rather than the spectral distance: its floor (about −104 dB) ignores hiss in
        // silent tails that nobody hears, which the ε = 1e-7 distance counts heavily.
        if (_lastValidation.LogMelL1 < _bestLogMel)
        {
            _bestLogMel = _lastValidation.LogMelL1;
            SaveWeights(Path.Combine(_trainDirectory, VaeCheckpoints.BestFile), _model, Current);
        }
        SaveWeights(Path.Combine(_request.ModelDirectory, ModelDirectory.WeightsFile), _model, Current);
        return _lastValidation;
    }

    public void SaveCheckpoint()
    {
        _checkpoints.Save(_model, _stage1.Optimizer, _stage2, _average,
            new VaeCheckpointState { Step = Current, ElapsedSeconds = Elapsed(), CpuSeconds = CpuSeconds(),
                BestLogMelL1 = _bestLogMel, SkippedSteps = _skippedTotal });
        _lastCheckpoint = Current;
    }

    /// <summary>A last checkpoint if the last step has none, the weights, and latent.json from the training
    /// clips.</summary>
    public TrainResult Finish(TrainOutcome outcome)
    {
        if (_lastCheckpoint != Current) SaveCheckpoint();
        if (Current > 0)
        {
            using var averaged = _average?.Applied();
            SaveWeights(Path.Combine(_request.ModelDirectory, ModelDirectory.WeightsFile), _model, Current);
            _message?.Invoke($"Analysing the latent space of {_trainingClips.Length} training clips and its named " +
                $"controls (latent.json)…");
            ModelDirectory.SaveLatent(_request.ModelDirectory,
                LatentAnalysis.OfTrainingClips(_model, _trainingClips, _store, _validIndices, Current,
                Config.Train.BatchSize, Config.Train.Attributes));
        }
        return new TrainResult(outcome, Current, _lastValidation, _request.ModelDirectory, _skippedTotal,
                               Config.Train.Steps, Schedules.LearningRate(Config.Train, Math.Max(0, Current - 1)));
    }

    double Elapsed() => _elapsedBefore + _session.Elapsed.TotalSeconds;
    double? CpuSeconds() => _cpuBefore + (ProcessorTime() - _cpuAtStart).TotalSeconds;

    static void SaveWeights(string path, WaveformVae model, long step) =>
        Safetensors.Save(path, ModelDirectory.Weights(model), new Dictionary<string,
            string> { ["step"] = step.ToString(CultureInfo.InvariantCulture) });

    /// <summary>This process's processor time so far, every thread summed.</summary>
    static TimeSpan ProcessorTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    public void Dispose()
    {
        DisposeParts();
        _store.Dispose();
    }

    // The reverse of the order things were made in, as the using declarations of one long method did;
    // null-tolerant, since a constructor that fails midway disposes what it made so far.
    void DisposeParts()
    {
        _loader?.Dispose();
        _extraStores?.Dispose();
        _log?.Dispose();
        _validator?.Dispose();
        _stage2?.Dispose();
        _average?.Dispose();
        _stage1?.Dispose();
        _model?.Dispose();
    }
}
