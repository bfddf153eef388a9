using System.Diagnostics;
using Oneshot.Model;

namespace Oneshot.Training;

/// <summary>Averages of the steps since the last log row.</summary>
sealed class RunningMeans
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    double _loss, _spectral, _bands, _kl, _norm, _adversarial, _matching, _discriminator, _attribute, _totalCorrelation,
        _ripple;
    int _steps, _clips, _stage2Steps, _discriminatorSteps, _attributeSteps, _tcSteps, _rippleSteps;
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
        _loss += result.Loss; _spectral += result.Spectral; _bands += result.BandSpectral; _kl += result.Kl;
        _norm += result.GradNorm;
        if (double.IsFinite(result.Adversarial))
        {
            _adversarial += result.Adversarial;
            _matching += result.FeatureMatching;
            _stage2Steps++;
        }
        if (double.IsFinite(result.DiscriminatorLoss))
        {
            _discriminator += result.DiscriminatorLoss;
            _discriminatorSteps++;
        }
        if (double.IsFinite(result.Attribute)) { _attribute += result.Attribute; _attributeSteps++; }
        if (double.IsFinite(result.TotalCorrelation)) { _totalCorrelation += result.TotalCorrelation; _tcSteps++; }
        if (double.IsFinite(result.GridRipple)) { _ripple += result.GridRipple; _rippleSteps++; }
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
            ["loss"] = _loss / _steps,
            ["spectral"] = _spectral / _steps,
            ["band_spectral"] = _bands / _steps,
            ["kl"] = _kl / _steps,
            ["grad_norm"] = _norm / _steps,
            ["clips_per_s"] = ClipsPerSecond,
        };
        if (_stage2Steps > 0)
        {
            values["adversarial"] = _adversarial / _stage2Steps;
            values["feature_matching"] = _matching / _stage2Steps;
        }
        if (_discriminatorSteps > 0) values["discriminator"] = _discriminator / _discriminatorSteps;
        if (_attributeSteps > 0) values["attribute"] = _attribute / _attributeSteps;
        if (_tcSteps > 0) values["total_correlation"] = _totalCorrelation / _tcSteps;
        if (_rippleSteps > 0) values["grid_ripple"] = _ripple / _rippleSteps;
        _loss = _spectral = _bands = _kl = _norm = _adversarial = _matching = _discriminator = _attribute =
            _totalCorrelation = _ripple = 0;
        _steps = _clips = _stage2Steps = _discriminatorSteps = _attributeSteps = _tcSteps = _rippleSteps = 0;
        return values;
    }
}
