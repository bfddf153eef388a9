using System.Diagnostics;
using Oneshot.Data;
using Oneshot.Model;
using Oneshot.Optimisation;
using Oneshot.Prior;
using Oneshot.TorchInterop;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Training;

/// <summary>
/// `oneshot prior train`: fits a prior to the frozen model's posterior by maximum likelihood (the
/// two-stage VAE recipe). Latents are fresh draws z_K from the training clips' posteriors at every
/// step; the held-out negative log-likelihood per dimension on the validation clips (fixed draws)
/// selects the best weights and stops training when it no longer improves.
/// </summary>
public sealed class PriorTrainer
{
    public const string TrainFolder = "prior-train";
    const string CheckpointFile = "checkpoint.safetensors";

    public Action<string>? OnMessage { get; init; }
    public Action<string, int, int>? OnEncode { get; init; }
    public Action<PriorProgress>? OnStep { get; init; }

    public PriorResult Run(PriorRequest request, CancellationToken cancellation = default)
    {
        var config = request.Config;
        config.Validate();
        string directory = request.ModelDirectory;
        string checkpoint = Path.Combine(directory, TrainFolder, CheckpointFile);
        AtomicFile.RemoveStale(directory);
        AtomicFile.RemoveStale(Path.GetDirectoryName(checkpoint)!);
        if (request.Resume && !File.Exists(checkpoint))
            throw new OneshotException($"'{directory}' has no prior training to resume ({checkpoint} is missing); start one without --resume.");
        if (!request.Resume && !request.Force && PriorFile.Exists(directory))
            throw new OneshotException($"'{directory}' already has a prior ({PriorFile.JsonFile}); use --force to replace it.");

        var (runConfig, model) = ModelDirectory.Load(directory);
        using var _model = model;
        var dataset = ModelDataset.Require(runConfig, request.DataDirectory, "A prior is fitted to the model's training clips");
        string data = dataset.Directory;
        using var store = new ClipStore(data);
        if (dataset.Warning is { } warning) OnMessage?.Invoke(warning);
        int[] trainIndices = store.IndicesOf("train"), heldOutIndices = store.IndicesOf("valid");
        if (trainIndices.Length == 0 || heldOutIndices.Length == 0)
            throw new OneshotException($"'{data}' needs clips in both the train and valid splits to fit and check a prior (it has {trainIndices.Length} and {heldOutIndices.Length}).");

        // The prior models the latents of every clip the model trained on, --also-train-on's too.
        using var extraStores = RunDirectory.ExtraStores.OpenPresent(runConfig.Train.ExtraData, store,
            extra => OnMessage?.Invoke($"'{extra}', which the model also trained on, is not there: the prior is fitted to the training clips of '{data}' alone."));
        var trainingClips = extraStores.TrainingClips(store, trainIndices);

        if (request.Device is { } device) model.to(device);
        using var train = new PosteriorSampler(model, trainingClips.Length, k => trainingClips[k].Store.Read(trainingClips[k].Index),
            progress: (done, total) => OnEncode?.Invoke("encoding train clips", done, total));
        using var heldOut = new PosteriorSampler(model, store, heldOutIndices, progress: (done, total) => OnEncode?.Invoke("encoding valid clips", done, total));
        model.to(CPU);   // the posteriors are encoded; drawing from them and fitting the prior is light work
        using var scope = NewDisposeScope();
        int n = model.Config.LatentSize;
        using var fitGenerator = new Generator(Seeds.Mix(config.Seed, 0xF17));
        var fitLatents = train.DrawAll(config.FitDraws, fitGenerator).to_type(ScalarType.Float64);
        var heldOutLatents = HeldOutLatents(heldOut, config);
        var mean = fitLatents.mean([0L]);
        var std = fitLatents.std(0).ClampMin(1e-6);
        var standardised = (fitLatents - mean) / std;

        double Nll(LatentPrior prior) { using var _ = no_grad(); return -prior.LogProb(heldOutLatents).mean().item<double>() / n; }
        using var standard = new StandardNormalPrior(n);
        using var gaussian = GaussianPrior.Fit(config with { Kind = PriorKind.Gaussian }, mean, std, standardised);
        var baselines = new Dictionary<string, double> { ["standard"] = Nll(standard), ["gaussian"] = Nll(gaussian) };

        long steps = 0, bestStep = 0;
        bool finished = true, stoppedEarly = false;
        LatentPrior fitted;
        switch (config.Kind)
        {
            case PriorKind.Standard: fitted = new StandardNormalPrior(n); break;
            case PriorKind.Gaussian: fitted = GaussianPrior.Fit(config, mean, std, standardised); break;
            case PriorKind.Gmm: fitted = MixturePrior.Fit(config, mean, std, standardised); break;
            default:
                random.manual_seed(Seeds.MixInt(config.Seed, 0xF10)); // the flow's initial weights
                var flowPrior = new FlowPrior(config, mean, std);
                (steps, bestStep, finished, stoppedEarly) = TrainFlow(flowPrior, request, train, standardised, heldOutLatents, checkpoint, cancellation);
                fitted = flowPrior;
                break;
        }
        using var _fitted = fitted;
        var report = new PriorReport
        {
            HeldOutNllPerDim = Nll(fitted),
            Baselines = baselines,
            TrainClips = trainingClips.Length,
            HeldOutClips = heldOutIndices.Length,
            HeldOutDraws = config.HeldOutDraws,
            Steps = steps,
            BestStep = bestStep,
            DatasetHash = store.Info.Hash,
            Created = DateTimeOffset.UtcNow,
        };
        if (finished) PriorFile.Save(directory, fitted, report);
        return new PriorResult(report, finished, stoppedEarly);
    }

    /// <summary>The fixed draws from the validation clips' posteriors that every held-out NLL is measured on.</summary>
    public static Tensor HeldOutLatents(PosteriorSampler heldOut, PriorConfig config)
    {
        using var generator = new Generator(Seeds.Mix(config.Seed, 0x4E1D));
        return heldOut.DrawAll(config.HeldOutDraws, generator);
    }

    (long Steps, long BestStep, bool Finished, bool StoppedEarly) TrainFlow(FlowPrior prior, PriorRequest request, PosteriorSampler train,
        Tensor standardised, Tensor heldOutLatents, string checkpoint, CancellationToken cancellation)
    {
        var config = prior.Config;
        var flow = prior.Flow;
        int n = prior.Dimensions;
        using var optimizer = new AdamOptimizer(flow.named_parameters().Select(p => (p.name, p.parameter)), config.AdamBeta1, config.AdamBeta2, config.AdamEpsilon);
        long start = 0, bestStep = 0;
        int badValidations = 0;
        double best = double.PositiveInfinity;
        Dictionary<string, Tensor>? bestState = null;
        flow.train();
        if (request.Resume)
            (start, best, bestStep, badValidations, bestState) = LoadCheckpoint(checkpoint, flow, optimizer);
        else
            using (no_grad()) flow.LogProb(standardised.narrow(0, 0, Math.Min(4096, standardised.shape[0])).to_type(ScalarType.Float32)); // ActNorm's data initialisation

        var mean = prior.Mean.to_type(ScalarType.Float32);
        var std = prior.Std.to_type(ScalarType.Float32);
        var clock = Stopwatch.StartNew();
        int badSteps = 0;
        double lastLoss = double.NaN;
        for (long step = start; step < config.Steps; step++)
        {
            bool timeUp = request.MaxMinutes is { } minutes && clock.Elapsed.TotalMinutes >= minutes;
            if (cancellation.IsCancellationRequested || timeUp)
            {
                SaveCheckpoint(checkpoint, flow, optimizer, step, best, bestStep, badValidations, bestState);
                OnMessage?.Invoke($"Stopped at step {step}; continue with --resume.");
                return (step, bestStep, false, false);
            }
            using (var stepScope = NewDisposeScope())
            {
                using var generator = new Generator(Seeds.Mix(config.Seed, 0xB47C, step));
                var rows = randint(0, train.Count, [config.BatchSize], generator: generator);
                var x = (train.Draw(rows, generator) - mean) / std;
                optimizer.ZeroGrad();
                var loss = flow.LogProb(x).mean().neg();
                lastLoss = loss.item<float>() / n;
                if (!double.IsFinite(lastLoss))
                {
                    if (++badSteps >= config.MaxBadSteps)
                        throw new OneshotException($"The prior's loss was not finite for {config.MaxBadSteps} steps in a row; try a smaller --set prior.learning_rate.");
                    continue;
                }
                badSteps = 0;
                loss.backward();
                optimizer.ClipGradients(config.GradientClip);
                optimizer.Step(CosineRate(config, step));
            }
            long done = step + 1;
            if (done % config.ValidateEvery != 0 && done != config.Steps) continue;
            flow.eval();
            double nll;
            using (NewDisposeScope())
            using (no_grad()) nll = -prior.LogProb(heldOutLatents).mean().item<double>() / n;
            flow.train();
            if (nll < best - 1e-4)
            {
                (best, bestStep, badValidations) = (nll, done, 0);
                if (bestState is not null) foreach (var t in bestState.Values) t.Dispose();
                bestState = flow.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
            }
            else badValidations++;
            OnStep?.Invoke(new PriorProgress(done, config.Steps, lastLoss, best, bestStep));
            SaveCheckpoint(checkpoint, flow, optimizer, done, best, bestStep, badValidations, bestState);
            if (badValidations >= config.Patience)
            {
                OnMessage?.Invoke($"Held-out NLL has not improved for {config.Patience} validations; stopping at step {done} (best at {bestStep}).");
                Restore(flow, bestState);
                return (done, bestStep, true, true);
            }
        }
        Restore(flow, bestState);
        return (config.Steps, bestStep, true, false);
    }

    static double CosineRate(PriorConfig config, long step) => CosineSchedule.At((double)step / config.Steps, config.LearningRate, config.LearningRateMin);

    static void Restore(TorchSharp.torch.nn.Module flow, Dictionary<string, Tensor>? state)
    {
        flow.eval();
        if (state is null) return;
        using var _ = no_grad();
        foreach (var (name, value) in flow.state_dict()) value.copy_(state[name]);
        foreach (var t in state.Values) t.Dispose();
    }

    const string FlowPrefix = "flow.", BestPrefix = "best.";

    static void SaveCheckpoint(string path, TorchSharp.torch.nn.Module flow, AdamOptimizer optimizer, long step, double best, long bestStep, int badValidations,
                               Dictionary<string, Tensor>? bestState)
    {
        var checkpoint = Checkpoint.Empty().With(FlowPrefix, flow.state_dict()).With(optimizer);
        if (bestState is not null) checkpoint.With(BestPrefix, bestState);
        checkpoint.Save(path, new PriorCheckpointState { Step = step, AdamSteps = optimizer.Steps, BestNll = best, BestStep = bestStep, BadValidations = badValidations });
    }

    static (long Step, double Best, long BestStep, int BadValidations, Dictionary<string, Tensor>? BestState) LoadCheckpoint(
        string path, TorchSharp.torch.nn.Module flow, AdamOptimizer optimizer)
    {
        var (checkpoint, saved) = Checkpoint.Load<PriorCheckpointState>(path, "Prior checkpoint", "start again with --force");
        using var _ = checkpoint;
        var state = flow.state_dict();
        if (state.Keys.Any(k => !checkpoint.Tensors.ContainsKey(FlowPrefix + k)))
            throw new OneshotException($"{checkpoint.Origin} does not match these prior settings (resume with the settings it was started with, or start again with --force).");
        using (no_grad()) foreach (var (name, value) in state) value.copy_(checkpoint.Tensors[FlowPrefix + name]);
        optimizer.Load(checkpoint.Tensors, saved.AdamSteps, checkpoint.Origin);
        Dictionary<string, Tensor>? best = state.Keys.All(k => checkpoint.Tensors.ContainsKey(BestPrefix + k))
            ? state.Keys.ToDictionary(k => k, k => checkpoint.Tensors[BestPrefix + k].clone().DetachFromDisposeScope())
            : null;
        return (saved.Step, saved.BestNll, saved.BestStep, saved.BadValidations, best);
    }
}
