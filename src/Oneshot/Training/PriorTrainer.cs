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
            throw new OneshotException($"'{directory}' has no prior training to resume ({checkpoint} is missing); " +
                $"start one without --resume.");
        if (!request.Resume && !request.Force && PriorFile.Exists(directory))
            throw new OneshotException($"'{directory}' already has a prior ({PriorFile.JsonFile}); use --force to " +
                $"replace it.");

        var (runConfig, model) = ModelDirectory.Load(directory);
        using var _model = model;
        var dataset = ModelDataset.Require(runConfig, request.DataDirectory,
            "A prior is fitted to the model's training clips");
        string data = dataset.Directory;
        using var store = new ClipStore(data);
        if (dataset.Warning is { } warning) OnMessage?.Invoke(warning);
        int[] trainIndices = store.IndicesOf("train"), heldOutIndices = store.IndicesOf("valid");
        if (trainIndices.Length == 0 || heldOutIndices.Length == 0)
            throw new OneshotException($"'{data}' needs clips in both the train and valid splits to fit and check a " +
                $"prior (it has {trainIndices.Length} and {heldOutIndices.Length}).");

        // The prior models the latents of every clip the model trained on, --also-train-on's too.
        using var extraStores = RunDirectory.ExtraStores.OpenPresent(runConfig.Train.ExtraData, store,
            extra =>
                OnMessage?.Invoke($"'{extra}', which the model also trained on, is not there: the prior is fitted to " +
                $"the training clips of '{data}' alone."));
        var trainingClips = extraStores.TrainingClips(store, trainIndices);

        if (request.Device is { } device) model.to(device);
        using var train = new PosteriorSampler(model, trainingClips.Length, k => trainingClips[k].Read(),
            progress: (done, total) => OnEncode?.Invoke("encoding train clips", done, total));
        using var heldOut = new PosteriorSampler(model, store, heldOutIndices,
            progress: (done, total) => OnEncode?.Invoke("encoding valid clips", done, total));
        model.to(CPU);   // the posteriors are encoded; drawing from them and fitting the prior is light work
        using var scope = NewDisposeScope();
        int n = model.Config.LatentSize;
        using var fitGenerator = new Generator(Seeds.Mix(config.Seed, 0xF17));
        var fitLatents = train.DrawAll(config.FitDraws, fitGenerator).to_type(ScalarType.Float64);
        var heldOutLatents = HeldOutLatents(heldOut, config);
        var mean = fitLatents.mean([0L]);
        var std = fitLatents.std(0).ClampMin(1e-6);
        var standardised = (fitLatents - mean) / std;

        double Nll(LatentPrior prior)
        {
            using var _ = no_grad();
            return -prior.LogProb(heldOutLatents).mean().item<double>() / n;
        }
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
                (steps, bestStep, finished, stoppedEarly) = TrainFlow(flowPrior, request, train, standardised,
                    heldOutLatents, checkpoint, cancellation);
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

    (long Steps, long BestStep, bool Finished, bool StoppedEarly) TrainFlow(FlowPrior prior, PriorRequest request,
        PosteriorSampler train,
        Tensor standardised, Tensor heldOutLatents, string checkpoint, CancellationToken cancellation)
    {
        var config = prior.Config;
        using var fit = new FlowFit(prior, train, heldOutLatents, checkpoint);
        if (request.Resume) fit.Resume();
        else fit.InitialiseFrom(standardised);
        var clock = Stopwatch.StartNew();
        for (long step = fit.Start; step < config.Steps; step++)
        {
            if (cancellation.IsCancellationRequested || request.MaxMinutes is { } minutes
                && clock.Elapsed.TotalMinutes >= minutes)
            {
                fit.SaveCheckpoint(step);
                OnMessage?.Invoke($"Stopped at step {step}; continue with --resume.");
                return (step, fit.BestStep, false, false);
            }
            fit.Step(step);
            long done = step + 1;
            if (done % config.ValidateEvery != 0 && done != config.Steps) continue;
            fit.Validate(done);
            OnStep?.Invoke(new PriorProgress(done, config.Steps, fit.LastLoss, fit.Best, fit.BestStep));
            fit.SaveCheckpoint(done);
            if (fit.BadValidations >= config.Patience)
            {
                OnMessage?.Invoke($"Held-out NLL has not improved for {config.Patience} validations; stopping at " +
                    $"step {done} (best at {fit.BestStep}).");
                fit.RestoreBest();
                return (done, fit.BestStep, true, true);
            }
        }
        fit.RestoreBest();
        return (config.Steps, fit.BestStep, true, false);
    }

    /// <summary>
    /// A flow prior being fitted: the flow, its optimiser, and the best held-out NLL so far with the
    /// weights that reached it — what a checkpoint keeps, so a stopped fit resumes where it was.
    /// </summary>
    sealed class FlowFit(FlowPrior prior, PosteriorSampler train, Tensor heldOutLatents,
        string checkpoint) : IDisposable
    {
        readonly AdamOptimizer _optimizer = new(prior.Flow.named_parameters().Select(p => (p.name, p.parameter)),
            prior.Config.AdamBeta1, prior.Config.AdamBeta2, prior.Config.AdamEpsilon);
        readonly Tensor _mean = prior.Mean.to_type(ScalarType.Float32), _std = prior.Std.to_type(ScalarType.Float32);
        Dictionary<string, Tensor>? _bestState;
        int _badSteps;

        public long Start { get; private set; }
        public double Best { get; private set; } = double.PositiveInfinity;
        public long BestStep { get; private set; }
        public int BadValidations { get; private set; }
        public double LastLoss { get; private set; } = double.NaN;

        public void Resume()
        {
            prior.Flow.train();
            (Start, Best, BestStep, BadValidations, _bestState) = LoadCheckpoint(checkpoint, prior.Flow, _optimizer);
        }

        /// <summary>ActNorm's data initialisation, from the first latents.</summary>
        public void InitialiseFrom(Tensor standardised)
        {
            prior.Flow.train();
            using (no_grad())
                prior.Flow.LogProb(standardised.narrow(0, 0, Math.Min(4096, standardised.shape[0]))
                    .to_type(ScalarType.Float32));
        }

        /// <summary>One maximum-likelihood step on fresh posterior draws; a non-finite loss skips the step, too many in
        /// a row stop the fit.</summary>
        public void Step(long step)
        {
            var config = prior.Config;
            using var stepScope = NewDisposeScope();
            using var generator = new Generator(Seeds.Mix(config.Seed, 0xB47C, step));
            var rows = randint(0, train.Count, [config.BatchSize], generator: generator);
            var x = (train.Draw(rows, generator) - _mean) / _std;
            _optimizer.ZeroGrad();
            var loss = prior.Flow.LogProb(x).mean().neg();
            LastLoss = loss.item<float>() / prior.Dimensions;
            if (!double.IsFinite(LastLoss))
            {
                if (++_badSteps >= config.MaxBadSteps)
                    throw new OneshotException($"The prior's loss was not finite for {config.MaxBadSteps} steps in a " +
                        $"row; try a smaller --set prior.learning_rate.");
                return;
            }
            _badSteps = 0;
            loss.backward();
            _optimizer.ClipGradients(config.GradientClip);
            _optimizer.Step(CosineRate(config, step));
        }

        /// <summary>The held-out NLL per dimension; the weights are kept when it improves by more than 1e-4.</summary>
        public void Validate(long done)
        {
            prior.Flow.eval();
            double nll;
            using (NewDisposeScope())
            using (no_grad()) nll = -prior.LogProb(heldOutLatents).mean().item<double>() / prior.Dimensions;
            prior.Flow.train();
            if (nll < Best - 1e-4)
            {
                (Best, BestStep, BadValidations) = (nll, done, 0);
                DisposeBest();
                _bestState = prior.Flow.state_dict().ToDictionary(p => p.Key,
                    p => p.Value.detach().clone().DetachFromDisposeScope());
            }
            else BadValidations++;
        }

        public void SaveCheckpoint(long step) =>
            PriorTrainer.SaveCheckpoint(checkpoint, prior.Flow, _optimizer, step, Best, BestStep, BadValidations,
                _bestState);

        public void RestoreBest()
        {
            Restore(prior.Flow, _bestState);
            _bestState = null;
        }

        void DisposeBest()
        {
            if (_bestState is not null) foreach (var t in _bestState.Values) t.Dispose();
            _bestState = null;
        }

        public void Dispose()
        {
            DisposeBest();
            _optimizer.Dispose();   // the standardising mean and std belong to the caller's dispose scope
        }
    }

    static double CosineRate(PriorConfig config, long step) =>
        CosineSchedule.At((double)step / config.Steps, config.LearningRate, config.LearningRateMin);

    static void Restore(TorchSharp.torch.nn.Module flow, Dictionary<string, Tensor>? state)
    {
        flow.eval();
        if (state is null) return;
        using var _ = no_grad();
        foreach (var (name, value) in flow.state_dict()) value.copy_(state[name]);
        foreach (var t in state.Values) t.Dispose();
    }

    const string FlowPrefix = "flow.", BestPrefix = "best.";

    static void SaveCheckpoint(string path, TorchSharp.torch.nn.Module flow, AdamOptimizer optimizer, long step,
        double best, long bestStep, int badValidations,
                               Dictionary<string, Tensor>? bestState)
    {
        var checkpoint = Checkpoint.Empty().With(FlowPrefix, flow.state_dict()).With(optimizer);
        if (bestState is not null) checkpoint.With(BestPrefix, bestState);
        checkpoint.Save(path, new PriorCheckpointState { Step = step, AdamSteps = optimizer.Steps, BestNll = best,
            BestStep = bestStep, BadValidations = badValidations });
    }

    static (long Step, double Best, long BestStep, int BadValidations, Dictionary<string,
        Tensor>? BestState) LoadCheckpoint(
        string path, TorchSharp.torch.nn.Module flow, AdamOptimizer optimizer)
    {
        var (checkpoint, saved) = Checkpoint.Load<PriorCheckpointState>(path, "Prior checkpoint",
            "start again with --force");
        using var _ = checkpoint;
        var state = flow.state_dict();
        if (state.Keys.Any(k => !checkpoint.Tensors.ContainsKey(FlowPrefix + k)))
            throw new OneshotException($"{checkpoint.Origin} does not match these prior settings (resume with the " +
                $"settings it was started with, or start again with --force).");
        using (no_grad()) foreach (var (name, value) in state) value.copy_(checkpoint.Tensors[FlowPrefix + name]);
        optimizer.Load(checkpoint.Tensors, saved.AdamSteps, checkpoint.Origin);
        Dictionary<string, Tensor>? best = state.Keys.All(k => checkpoint.Tensors.ContainsKey(BestPrefix + k))
            ? state.Keys.ToDictionary(k => k, k => checkpoint.Tensors[BestPrefix + k].clone().DetachFromDisposeScope())
            : null;
        return (saved.Step, saved.BestNll, saved.BestStep, saved.BadValidations, best);
    }
}
