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
/// `oneshot train`: a <see cref="WaveformVae"/> from a dataset directory into a model directory —
/// stage 1 (<see cref="Stage1Step"/>), then stage 2 from <see cref="Stage2Config.StartStep"/>
/// (<see cref="Stage2Step"/>) — with background batches, logging to metrics.csv and TensorBoard,
/// validation with WAV examples, atomic checkpoints that resume exactly, and latent.json at the end.
/// </summary>
public sealed class VaeTrainer
{
    const int LogEvery = 25;

    public Action<TrainProgress>? OnStep { get; init; }
    public Action<ValidationResult>? OnValidation { get; init; }
    public Action<string>? OnMessage { get; init; }

    public TrainResult Run(TrainRequest request, CancellationToken cancellation = default)
    {
        var device = request.Device ?? CPU;
        using var store = new ClipStore(request.DataDirectory);
        var config = RunDirectory.Prepare(request, store);
        string trainDirectory = Path.Combine(request.ModelDirectory, ModelDirectory.TrainFolder);
        Directory.CreateDirectory(trainDirectory);

        random.manual_seed(config.Train.Seed);
        // For hunting the source of a non-finite gradient: libtorch then names the backward op that
        // produced it (and the step fails there instead of being skipped). Slow; debugging only.
        bool detectAnomaly = Environment.GetEnvironmentVariable("ONESHOT_DETECT_ANOMALY") == "1";
        if (detectAnomaly) OnMessage?.Invoke("ONESHOT_DETECT_ANOMALY=1: autograd anomaly detection is on (slow).");
        autograd.set_detect_anomaly(detectAnomaly);
        using var model = new WaveformVae(config.Model);
        // Before the optimiser and the weight average are made, so both start from these weights.
        if (!request.Resume && config.Train.InitFrom is string source)
        {
            ModelDirectory.LoadWeightsFrom(model, source);
            OnMessage?.Invoke($"Starting from the weights of {source}, with a fresh optimiser and schedule.");
        }
        model.to(device);
        using var step = new Stage1Step(model, config.Train, device);
        // With train.ema_decay, validation, the saved weights and latent.json use the averaged weights.
        using var average = config.Train.EmaDecay is double decay ? new WeightAverage(model.named_parameters().Select(p => (p.name, p.parameter)), decay) : null;
        IDisposable? Averaged() => average?.Applied();
        Stage2Step? stage2 = null;
        Stage2Step StartStage2()
        {
            int discriminators = config.Stage2.Periods.Length + config.Stage2.Scales + config.Stage2.StftSizes.Length;
            OnMessage?.Invoke(config.Stage2.FreezeEncoder
                ? $"Stage 2 from step {config.Stage2.StartStep}: encoder frozen, decoder fine-tuned against {discriminators} discriminators."
                : $"Stage 2 from step {config.Stage2.StartStep}: the whole model goes on learning, now also against {discriminators} discriminators.");
            return stage2 = new Stage2Step(model, step, config.Train, config.Stage2, device);
        }
        var checkpoints = new VaeCheckpoints(trainDirectory, config.Train.KeepCheckpoints);
        long startStep = 0, skippedTotal = 0;
        double elapsedBefore = 0, bestLogMel = double.PositiveInfinity;
        double? cpuBefore = 0;
        if (request.Resume)
        {
            var resumed = checkpoints.LoadLatest(model, step.Optimizer, () => stage2 ?? StartStage2(), average);
            (startStep, elapsedBefore, bestLogMel, skippedTotal) = (resumed.Step, resumed.ElapsedSeconds, resumed.BestLogMelL1 ?? double.PositiveInfinity, resumed.SkippedSteps);
            cpuBefore = resumed.CpuSeconds;
        }
        void SaveCheckpoint(long at) => checkpoints.Save(model, step.Optimizer, stage2, average,
            new VaeCheckpointState { Step = at, ElapsedSeconds = Elapsed(), CpuSeconds = CpuSeconds(), BestLogMelL1 = bestLogMel, SkippedSteps = skippedTotal });

        var trainIndices = store.IndicesOf("train");
        var validIndices = store.IndicesOf("valid");
        if (config.Train.ValidationClips > 0) validIndices = validIndices.Take(config.Train.ValidationClips).ToArray();
        using var validator = new Validator(store, validIndices, config.Train.Examples, config.Train.Seed);
        if (validator.Count == 0) OnMessage?.Invoke("The dataset has no validation clips: validation is skipped.");
        using var log = new TrainingLog(trainDirectory, startStep, store.SampleRate);
        log.Originals(validator.Examples, startStep);

        using var extraStores = new RunDirectory.ExtraStores();
        foreach (string directory in config.Train.ExtraData) extraStores.Items.Add(RunDirectory.OpenExtraData(directory, store));
        var trainingClips = extraStores.TrainingClips(store, trainIndices);
        if (trainingClips.Length == 0) throw new OneshotException($"'{request.DataDirectory}' has no training clips; prepare it with a train split, or add clips with --also-train-on.");
        if (extraStores.Items.Count > 0)
            OnMessage?.Invoke($"Training on {trainingClips.Length} clips: {trainIndices.Length} from {request.DataDirectory} and {trainingClips.Length - trainIndices.Length} from {string.Join(", ", config.Train.ExtraData)}.");
        using var loader = new BatchLoader(trainingClips, config.Train, firstBatch: startStep);
        var session = Stopwatch.StartNew();
        long current = startStep, sessionSteps = 0, badInARow = 0, lastCheckpoint = startStep;
        ValidationResult? lastValidation = null;
        var window = new RunningMeans();
        var outcome = TrainOutcome.Finished;
        double Elapsed() => elapsedBefore + session.Elapsed.TotalSeconds;
        var cpuAtStart = ProcessorTime();
        double? CpuSeconds() => cpuBefore + (ProcessorTime() - cpuAtStart).TotalSeconds;

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
                    SaveCheckpoint(current);
                    throw new OneshotException($"Training diverged: {badInARow} steps in a row had a non-finite loss or gradient (at step {current}). " +
                        "Lower the learning rate (--set train.learning_rate=...) or the gradient clip, then resume with --resume; the last good checkpoint is kept.");
                }
            }
            else
            {
                badInARow = 0;
                window.Add(result, batch.Size);
                average?.Update(current);
            }
            current++;
            sessionSteps++;

            if (current % LogEvery == 0 || current == config.Train.Steps)
            {
                var values = window.Flush(config.Train, current);
                if (values is not null) log.Train(values, current);
            }
            OnStep?.Invoke(new TrainProgress(current, config.Train.Steps, window.ClipsPerSecond, window.LastLoss, window.LastSpectral, window.LastKl,
                Schedules.Beta(config.Train, current - 1), Schedules.LearningRate(config.Train, current - 1), TimeSpan.FromSeconds(Elapsed())));

            if (current % config.Train.ValidateEvery == 0 && validator.Count > 0)
            {
                using var averaged = Averaged();
                lastValidation = validator.Run(model, step.Loss, config.Train, current, device, config.Train.BatchSize);
                log.Validation(lastValidation, config.Train, current, Elapsed());
                OnValidation?.Invoke(lastValidation);
                // Log-mel L1 rather than the spectral distance: its floor (about −104 dB) ignores hiss in
                // silent tails that nobody hears, which the ε = 1e-7 distance counts heavily.
                if (lastValidation.LogMelL1 < bestLogMel)
                {
                    bestLogMel = lastValidation.LogMelL1;
                    SaveWeights(Path.Combine(trainDirectory, VaeCheckpoints.BestFile), model, current);
                }
                SaveWeights(Path.Combine(request.ModelDirectory, ModelDirectory.WeightsFile), model, current);
            }
            if (current % config.Train.CheckpointEvery == 0)
            {
                SaveCheckpoint(current);
                lastCheckpoint = current;
            }
        }

        if (lastCheckpoint != current)
            SaveCheckpoint(current);
        if (current > 0)
        {
            using var averaged = Averaged();
            SaveWeights(Path.Combine(request.ModelDirectory, ModelDirectory.WeightsFile), model, current);
            OnMessage?.Invoke($"Analysing the latent space of {trainingClips.Length} training clips and its named controls (latent.json)…");
            ModelDirectory.SaveLatent(request.ModelDirectory, LatentAnalysis.OfTrainingClips(model, trainingClips, store, validIndices, current, config.Train.BatchSize, config.Train.Attributes));
        }
        return new TrainResult(outcome, current, lastValidation, request.ModelDirectory, skippedTotal,
                               config.Train.Steps, Schedules.LearningRate(config.Train, Math.Max(0, current - 1)));
    }

    static void SaveWeights(string path, WaveformVae model, long step) =>
        Safetensors.Save(path, ModelDirectory.Weights(model), new Dictionary<string, string> { ["step"] = step.ToString(CultureInfo.InvariantCulture) });

    /// <summary>This process's processor time so far, every thread summed.</summary>
    static TimeSpan ProcessorTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
