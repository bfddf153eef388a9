using Oneshot.Data;
using Oneshot.Model;
using Oneshot.Statistics;
using Oneshot.TorchInterop;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Training;

/// <summary>Validation scores of a model on held-out clips.</summary>
public sealed record ValidationResult
{
    public required long Step { get; init; }
    public required int Clips { get; init; }
    /// <summary>The training objective on these clips (spectral + bands + β·KL at the step's β).</summary>
    public required double Loss { get; init; }
    /// <summary>Full-band multi-scale spectral distance as `oneshot eval` measures it (ε = 1e-7, whatever the loss's
    /// floor).</summary>
    public required double Spectral { get; init; }
    public required double BandSpectral { get; init; }
    public required double Kl { get; init; }
    public required double LogMelL1 { get; init; }
    public required double SiSdrDb { get; init; }
    /// <summary>Dimensions whose posterior mean varies across clips (Cov_x(μ_d) &gt; 0.01, Burda et al.
    /// 2016).</summary>
    public required int ActiveUnits { get; init; }
    /// <summary>Mean analytic KL of the Gaussian part of the posterior, per dimension.</summary>
    public required double[] KlPerDimension { get; init; }
    public required float[][] ExampleReconstructions { get; init; }
}

/// <summary>Scores a model on a fixed set of validation clips with fixed noise, so validations are
/// comparable.</summary>
public sealed class Validator : IDisposable
{
    readonly float[][] _clips;
    readonly int _examples;
    readonly ulong _seed;
    readonly ReconstructionMetrics _metrics;

    public Validator(ClipStore store, int[] indices, int examples, int seed)
    {
        _clips = indices.Select(store.Read).ToArray();
        _examples = Math.Min(examples, _clips.Length);
        _seed = Seeds.Mix(seed, 0x7A11D);
        _metrics = new ReconstructionMetrics(store.SampleRate);
    }

    public int Count => _clips.Length;
    public IReadOnlyList<float[]> Examples => _clips.Take(_examples).ToArray();

    public ValidationResult Run(WaveformVae model, ReconstructionLoss loss, TrainConfig train, long step, Device device,
        int batchSize)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var generator = new Generator(_seed, device);
            double lossSum = 0, spectral = 0, bands = 0, kl = 0, logMel = 0, siSdr = 0;
            var means = new List<float[]>();
            double[] klPerDimension = new double[model.Config.LatentSize];
            var examples = new List<float[]>();
            using Scalar betaScalar = Schedules.Beta(train, step);
            bool spectralIsLoss = ReconstructionMetrics.SpectralIsTrainingLoss(model.Config);
            for (int start = 0; start < _clips.Length; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int count = Math.Min(batchSize, _clips.Length - start);
                var clips = stack(_clips.Skip(start).Take(count).Select(c => tensor(c)).ToArray()).to(device);
                var output = model.Forward(clips, generator);
                var (full, band) = loss.PerItem(clips, output);
                spectral += (spectralIsLoss ? full : _metrics.Spectral(clips, output.Reconstruction)).sum()
                    .item<float>();
                bands += band.sum().item<float>();
                kl += output.KlPerItem.sum().item<float>();
                lossSum += full.Plus(band).Plus(output.KlPerItem.mul(betaScalar)).sum().item<float>();
                logMel += _metrics.LogMelL1(clips, output.Reconstruction).sum().item<float>();
                siSdr += ReconstructionMetrics.SiSdr(clips, output.Reconstruction).sum().item<float>();
                var perDimension = WaveformVae.AnalyticKl(output.Posterior.Mean, output.Posterior.Std).sum([0L]).cpu()
                    .data<float>().ToArray();
                for (int d = 0; d < klPerDimension.Length; d++) klPerDimension[d] += perDimension[d];
                var mean = output.Posterior.Mean.cpu().data<float>().ToArray();
                int n = model.Config.LatentSize;
                for (int i = 0; i < count; i++) means.Add(mean.AsSpan(i * n, n).ToArray());
                // Examples are decoded from the posterior mean: what `oneshot reconstruct` gives.
                if (examples.Count < _examples)
                {
                    var deterministic = model.Decode(model.EncodeMean(clips)).cpu();
                    for (int i = 0; i < count && examples.Count < _examples; i++)
                        examples.Add(deterministic[i].data<float>().ToArray());
                }
            }
            int total = _clips.Length;
            return new ValidationResult
            {
                Step = step,
                Clips = total,
                Loss = lossSum / total,
                Spectral = spectral / total,
                BandSpectral = bands / total,
                Kl = kl / total,
                LogMelL1 = logMel / total,
                SiSdrDb = siSdr / total,
                ActiveUnits = LatentActivity.ActiveUnits(means),
                KlPerDimension = klPerDimension.Select(v => v / total).ToArray(),
                ExampleReconstructions = examples.ToArray(),
            };
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    public void Dispose() => _metrics.Dispose();
}
