namespace Oneshot.Model;

/// <summary>
/// Stage 2 (docs/architecture.md, "The model"): from <see cref="StartStep"/> on, the encoder is frozen and the decoder
/// is fine-tuned against discriminators, with the spectral loss kept and feature matching added — or,
/// with <see cref="FreezeEncoder"/> off, the whole model keeps training on the stage-1 objective with the adversarial
/// terms added.
/// </summary>
public sealed record Stage2Config
{
    /// <summary>The training step where stage 2 begins; null: never (stage 1 only).</summary>
    public int? StartStep { get; init; } = 100_000;
    /// <summary>
    /// True (RAVE): the encoder stops learning when stage 2 starts. False: an early GAN — encoder,
    /// KL and stage 1's optimiser and learning-rate schedule stay, and the decoder also learns from
    /// the discriminators (DAC, EnCodec and Stable Audio's VAE train their GAN from the start).
    /// </summary>
    public bool FreezeEncoder { get; init; } = true;
    public int[] Periods { get; init; } = [2, 3, 5, 7, 11];
    /// <summary>Waveform discriminators on the clip and on 2×, 4×… downsampled copies.</summary>
    public int Scales { get; init; } = 3;
    /// <summary>FFT sizes of multi-resolution STFT discriminators (EnCodec); empty: none.</summary>
    public int[] StftSizes { get; init; } = [];
    public int DiscriminatorCapacity { get; init; } = 16;
    public int DiscriminatorMaxChannels { get; init; } = 256;
    public AdversarialLossKind Loss { get; init; } = AdversarialLossKind.Hinge;
    public double AdversarialWeight { get; init; } = 1;
    public double FeatureMatchingWeight { get; init; } = 10;
    /// <summary>
    /// Weight of <see cref="GridRippleLoss"/>, the penalty on the decoder's frame-rate buzz (the
    /// high band pulsing in step with the decoder's frames); 0: off.
    /// </summary>
    public double GridRippleWeight { get; init; }
    public double DecoderLearningRate { get; init; } = 1e-4;
    /// <summary>
    /// The learning rate of the decoder additions (<see cref="ModelConfig.DecoderAdditions"/>: modes, FiLM,
    /// time positions), for when they were grown on a trained model with `--init-from`: they start silent
    /// and at 1e-4 stay so (110 modes grown on the drums model were quieter after 1,000 steps than at the
    /// start, −66 against −61 dBFS at the loudest); null: <see cref="DecoderLearningRate"/>.
    /// </summary>
    public double? AddedPartsLearningRate { get; init; }
    public double DiscriminatorLearningRate { get; init; } = 1e-4;
    /// <summary>The discriminators learn on one step in this many.</summary>
    public int DiscriminatorEvery { get; init; } = 2;
    /// <summary>
    /// The discriminators judge this many samples of each clip (the same window of the real and the
    /// decoded clip: half the time its onset, else anywhere), as GAN vocoders train on segments;
    /// null: the whole clip. On a CPU, judging whole 65,536-sample clips made a stage-2 step ten
    /// times slower than a stage-1 step.
    /// </summary>
    public int? DiscriminatorCrop { get; init; } = 16384;

    public bool StartsBefore(long steps) => StartStep is int start && start < steps;

    public void Validate()
    {
        static void Require(bool ok, string message) { if (!ok) throw new OneshotException(message); }
        Require(StartStep is null or >= 0, "stage2.start_step must be 0 or more (or null for no stage 2).");
        Require(Periods.All(p => p >= 2) && Scales >= 0 && Periods.Length + Scales + StftSizes.Length > 0,
            "stage2.periods must be 2 or more and stage2 needs at least one discriminator.");
        Require(StftSizes.All(n => n >= 16), "stage2.stft_sizes must be 16 or more.");
        Require(DiscriminatorCapacity >= 1 && DiscriminatorMaxChannels >= DiscriminatorCapacity,
            "stage2.discriminator_capacity must be at least 1 and at most stage2.discriminator_max_channels.");
        Require(AdversarialWeight >= 0 && FeatureMatchingWeight >= 0 && GridRippleWeight >= 0,
            "stage2 loss weights must not be negative.");
        Require(DecoderLearningRate > 0 && DiscriminatorLearningRate > 0 && AddedPartsLearningRate is null or > 0,
            "stage2 learning rates must be positive.");
        Require(DiscriminatorEvery >= 1, "stage2.discriminator_every must be at least 1.");
        Require(DiscriminatorCrop is null or >= 1024, "stage2.discriminator_crop must be 1024 samples or more (or " +
            "null for whole clips).");
    }
}
