using System.Diagnostics;
using Oneshot.Model;
using Oneshot.Optimisation;
using Oneshot.TorchInterop;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Training;

/// <summary>What one optimisation step did, and where its time went.</summary>
public sealed record StepResult(bool Applied, double Loss, double Spectral, double BandSpectral, double Kl,
    double GradNorm,
                                double ForwardSeconds, double BackwardSeconds, double OptimizerSeconds)
{
    /// <summary>Which modules had non-finite gradients (tensors affected / all), when the step was skipped for
    /// that.</summary>
    public string? NonFiniteGradients { get; init; }

    /// <summary>Stage 2 only: the generator's adversarial loss, feature matching, and the discriminators' loss (NaN on
    /// steps they skip).</summary>
    public double Adversarial { get; init; } = double.NaN;
    public double FeatureMatching { get; init; } = double.NaN;
    public double DiscriminatorLoss { get; init; } = double.NaN;
    /// <summary>With stage2.grid_ripple_weight: the frame-grid ripple of the decoded batch in dB², before its
    /// weight.</summary>
    public double GridRipple { get; init; } = double.NaN;

    /// <summary>With train.attributes: the attribute loss before its weight (NaN otherwise).</summary>
    public double Attribute { get; init; } = double.NaN;

    /// <summary>With train.tc_weight: the total-correlation estimate before its weight (NaN otherwise).</summary>
    public double TotalCorrelation { get; init; } = double.NaN;
}

/// <summary>
/// One stage-1 step: encode, sample the posterior, decode, spectral losses + β·KL (+ γ·attribute loss, + the
/// total-correlation penalty), backward, gradient clipping and Adam. Non-finite losses or gradients leave the weights
/// untouched.
/// </summary>
public sealed class Stage1Step : IDisposable
{
    readonly WaveformVae _model;
    readonly ReconstructionLoss _loss;
    readonly AdamOptimizer _adam;
    readonly TrainConfig _train;
    readonly Device _device;

    public Stage1Step(WaveformVae model, TrainConfig train, Device device)
    {
        _model = model;
        _train = train;
        _device = device;
        _loss = new ReconstructionLoss(model.Config);
        _adam = new AdamOptimizer(model.named_parameters().Select(p => (p.name, p.parameter)), train.AdamBeta1,
            train.AdamBeta2, train.AdamEpsilon,
            weightDecay: train.WeightDecay);
    }

    public AdamOptimizer Optimizer => _adam;
    public ReconstructionLoss Loss => _loss;

    /// <summary>The stage-1 objective of one batch and its parts; joint stage 2 adds its adversarial terms to
    /// it.</summary>
    public sealed record Objective(Tensor Total, VaeOutput Output, Tensor Spectral, Tensor BandSpectral, Tensor Kl,
        double Attribute, double TotalCorrelation);

    /// <summary>Encodes <paramref name="clips"/>, samples the posterior and decodes: spectral losses + β·KL (+ the
    /// attribute and total-correlation terms).</summary>
    public Objective Compute(Tensor clips, Batch batch, Generator generator, long step)
    {
        var output = _model.Forward(clips, generator);
        var (full, bands) = _loss.PerItem(clips, output);
        double beta = Schedules.Beta(_train, step);
        var kl = output.KlPerItem.mean();
        using Scalar betaScalar = beta;
        var loss = full.mean().Plus(bands.mean()).Plus(kl.mul(betaScalar));
        double attributeValue = double.NaN;
        if (batch.Attributes is { } values && _train.AttributeWeight > 0)
        {
            var attribute = AttributeLoss.Compute(output.Z, tensor(values, [batch.Size, _train.Attributes.Length])
                .to(_device), _train.AttributeDelta);
            attributeValue = attribute.item<float>();
            loss = loss.Plus(attribute.Times(_train.AttributeWeight));
        }
        double totalCorrelation = double.NaN;
        if (_train.TcWeight > 0)
        {
            var tc = TotalCorrelation.Estimate(output.Z, output.Posterior.Mean, output.Posterior.Std);
            totalCorrelation = tc.item<float>();
            loss = loss.Plus(tc.Times(_train.TcWeight));
        }
        if (_train.RefineSteps > 0 && _train.RefineWeight > 0)
            loss = loss.Plus(RefinedReconstruction(clips, output).Times(_train.RefineWeight));
        return new Objective(loss, output, full.mean(), bands.mean(), kl, attributeValue, totalCorrelation);
    }

    /// <summary>
    /// Semi-amortised term (train.refine_steps): the reconstruction loss at the batch's refined
    /// mean latents. The latent decoded has the refined value and passes its gradient straight to
    /// the encoder's own latent, as first-order semi-amortised VAEs do.
    /// </summary>
    public Tensor RefinedReconstruction(Tensor clips, VaeOutput output)
    {
        var own = _model.MeanLatent(output.Posterior);
        Tensor found;
        using (LatentSearch.HoldWeights(_model))
            found = LatentSearch.Refine(_model, _loss, clips, output.TargetBands.detach(), own.detach(),
                _train.RefineSteps);
        // found + (own − own) is found to the last bit (own + (found − own) is not): the loss is not
        // smooth at that scale, and a 1e-8 move changed the encoder's gradient by 1.3 % in the test.
        var latent = found.Plus(own - own.detach());
        var bands = _model.DecodeBands(latent);
        var (full, bandLoss) = _loss.PerItem(clips, output.TargetBands, _model.Synthesise(bands), bands);
        return full.mean().Plus(bandLoss.mean());
    }

    public StepResult Run(Batch batch, long step)
    {
        using var scope = NewDisposeScope();
        _model.train();
        var clock = Stopwatch.StartNew();
        var clips = tensor(batch.Samples, [batch.Size, batch.Length]).to(_device);
        using var generator = new Generator(Seeds.Mix(_train.Seed, 0x57E9, step), _device);
        var objective = Compute(clips, batch, generator, step);
        double lossValue = objective.Total.item<float>();
        double forward = clock.Elapsed.TotalSeconds;
        if (!double.IsFinite(lossValue))
            return new StepResult(false, lossValue, double.NaN, double.NaN, double.NaN, double.NaN, forward, 0, 0);

        var (norm, backward, optimizer) = _adam.Minimise(objective.Total, _train.GradientClip,
            Schedules.LearningRate(_train, step));
        bool applied = double.IsFinite(norm);
        return new StepResult(applied, lossValue, objective.Spectral.item<float>(),
            objective.BandSpectral.item<float>(), objective.Kl.item<float>(), norm, forward, backward, optimizer)
        {
            NonFiniteGradients = applied ? null : _adam.DescribeNonFiniteGradients(),
            Attribute = objective.Attribute,
            TotalCorrelation = objective.TotalCorrelation,
        };
    }

    public void Dispose()
    {
        _loss.Dispose();
        _adam.Dispose();
    }
}
