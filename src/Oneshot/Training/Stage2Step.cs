using System.Diagnostics;
using Oneshot.Model;
using Oneshot.Optimisation;
using Oneshot.TorchInterop;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Training;

/// <summary>
/// One stage-2 step: the encoder frozen (its posterior drawn without gradients), the decoder
/// trained on spectral loss + adversarial loss + feature matching with its own optimiser, and the
/// discriminators trained on one step in <see cref="Stage2Config.DiscriminatorEvery"/>. With
/// <see cref="Stage2Config.FreezeEncoder"/> off (an early GAN, as DAC and EnCodec train), the whole
/// stage-1 objective stays and the adversarial terms join it, with stage 1's optimiser and schedule.
/// </summary>
public sealed class Stage2Step : IDisposable
{
    readonly WaveformVae _model;
    readonly Stage1Step _stage1;
    readonly ReconstructionLoss _loss;
    readonly TrainConfig _train;
    readonly Stage2Config _stage2;
    readonly Device _device;
    readonly GridRippleLoss? _ripple;

    public Stage2Step(WaveformVae model, Stage1Step stage1, TrainConfig train, Stage2Config stage2, Device device)
    {
        _model = model;
        _stage1 = stage1;
        _loss = stage1.Loss;
        _train = train;
        _stage2 = stage2;
        _device = device;
        if (stage2.GridRippleWeight > 0) _ripple = new GridRippleLoss(model.Config.Hop, model.Config.SampleRate);
        random.manual_seed(Seeds.MixInt(train.Seed, 0xD15C));
        Discriminators = new DiscriminatorSet(stage2.Periods, stage2.Scales, stage2.DiscriminatorCapacity,
            stage2.DiscriminatorMaxChannels, stage2.StftSizes);
        Discriminators.to(device);
        DecoderOptimizer =
            new AdamOptimizer(model.named_parameters().Where(p =>
            p.name.StartsWith("decoder.", StringComparison.Ordinal)
            || p.name.StartsWith("modes.", StringComparison.Ordinal)).Select(p => (p.name, p.parameter)),
            train.AdamBeta1, train.AdamBeta2, train.AdamEpsilon, prefix: "stage2.adam_decoder",
                weightDecay: train.WeightDecay,
            rateScale: stage2.AddedPartsLearningRate is double added ? name =>
                WaveformVae.IsDecoderAddition(name) ? added / stage2.DecoderLearningRate : 1 : null);
        DiscriminatorOptimizer = new AdamOptimizer(Discriminators.named_parameters().Select(p => (p.name, p.parameter)),
            train.AdamBeta1, train.AdamBeta2, train.AdamEpsilon, prefix: "stage2.adam_discriminator");
    }

    public DiscriminatorSet Discriminators { get; }
    public AdamOptimizer DecoderOptimizer { get; }
    public AdamOptimizer DiscriminatorOptimizer { get; }

    public StepResult Run(Batch batch, long step)
    {
        using var scope = NewDisposeScope();
        _model.train();
        Discriminators.train();
        var clock = Stopwatch.StartNew();
        var clips = tensor(batch.Samples, [batch.Size, batch.Length]).to(_device);
        using var generator = new Generator(Seeds.Mix(_train.Seed, 0x57E9, step), _device);
        Tensor reconstruction, full, bandLoss, objective;
        Stage1Step.Objective? joint = null;
        if (_stage2.FreezeEncoder)
        {
            VaeOutput output;
            Tensor z;
            using (no_grad())
            {
                var targetBands = _model.AnalysisBands(clips);
                var posterior = _model.Encode(clips);
                z = _model.SamplePosterior(posterior, generator).Z;
                output = new VaeOutput(clips, targetBands, targetBands, posterior, z,
                    zeros(batch.Size, device: _device));
            }
            var bands = _model.DecodeBands(z, generator);
            reconstruction = _model.Synthesise(bands);
            output = output with { Reconstruction = reconstruction, ReconstructionBands = bands };
            var perItem = _loss.PerItem(clips, output);
            (full, bandLoss) = (perItem.Full.mean(), perItem.Bands.mean());
            objective = full.Plus(bandLoss);
        }
        else
        {
            joint = _stage1.Compute(clips, batch, generator, step);
            (reconstruction, full, bandLoss, objective) = (joint.Output.Reconstruction, joint.Spectral,
                joint.BandSpectral, joint.Total);
        }
        var (judgedReal, judgedFake) = Crop(clips, reconstruction, step);
        var real = Discriminators.forward(judgedReal);
        var fake = Discriminators.forward(judgedFake);
        var adversarial = AdversarialLoss.Generator(_stage2.Loss, fake);
        var matching = AdversarialLoss.FeatureMatching(real, fake);
        var loss = objective.Plus(adversarial.Times(_stage2.AdversarialWeight))
            .Plus(matching.Times(_stage2.FeatureMatchingWeight));
        var ripple = _ripple?.Compute(reconstruction);
        if (ripple is not null) loss = loss.Plus(ripple.Times(_stage2.GridRippleWeight));
        double lossValue = loss.item<float>();
        double forward = clock.Elapsed.TotalSeconds;
        if (!double.IsFinite(lossValue))
            return new StepResult(false, lossValue, double.NaN, double.NaN, double.NaN, double.NaN, forward, 0, 0);

        var (norm, backward, decoderOptimizer) = joint is null
            ? DecoderOptimizer.Minimise(loss, _train.GradientClip, _stage2.DecoderLearningRate)
            : _stage1.Optimizer.Minimise(loss, _train.GradientClip, Schedules.LearningRate(_train, step));
        bool applied = double.IsFinite(norm);
        clock.Restart();

        double discriminatorLoss = double.NaN;
        if (applied && step % _stage2.DiscriminatorEvery == 0)
        {
            // The real clips' judgements are reused: the decoder's step changed no discriminator weight,
            // and its backward pass did not touch their graph (feature matching detaches them).
            // Minimise clears the gradients the generator's backward pass left on the discriminators.
            var dLoss = AdversarialLoss.Discriminator(_stage2.Loss, real, Discriminators.forward(judgedFake.detach()));
            discriminatorLoss = dLoss.item<float>();
            if (double.IsFinite(discriminatorLoss))
                DiscriminatorOptimizer.Minimise(dLoss, _train.GradientClip, _stage2.DiscriminatorLearningRate);
        }
        double optimizer = decoderOptimizer + clock.Elapsed.TotalSeconds;
        return new StepResult(applied, lossValue, full.item<float>(), bandLoss.item<float>(),
            joint?.Kl.item<float>() ?? 0, norm, forward, backward, optimizer)
        {
            Adversarial = adversarial.item<float>(),
            FeatureMatching = matching.item<float>(),
            DiscriminatorLoss = discriminatorLoss,
            GridRipple = ripple?.item<float>() ?? double.NaN,
            NonFiniteGradients = applied ? null : (joint is null ? DecoderOptimizer : _stage1.Optimizer)
                .DescribeNonFiniteGradients(),
            Attribute = joint?.Attribute ?? double.NaN,
            TotalCorrelation = joint?.TotalCorrelation ?? double.NaN,
        };
    }

    /// <summary>The window the discriminators judge this step: the same for real and decoded clips, drawn from the step
    /// (so a resumed run crops alike).</summary>
    (Tensor Real, Tensor Fake) Crop(Tensor real, Tensor fake, long step)
    {
        long length = real.shape[1];
        if (_stage2.DiscriminatorCrop is not int crop || crop >= length) return (real, fake);
        var random = new Random(Seeds.MixInt(_train.Seed, 0xC209, step));
        // half the time the onset, where one-shots differ most
        long offset = random.Next(2) == 0 ? 0 : random.NextInt64(length - crop + 1);
        return (real.narrow(1, offset, crop), fake.narrow(1, offset, crop));
    }

    public void Dispose()
    {
        Discriminators.Dispose();
        DecoderOptimizer.Dispose();
        DiscriminatorOptimizer.Dispose();
    }
}
