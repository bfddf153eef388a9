using Oneshot.Audio;

namespace Oneshot.Model;

/// <summary>Options of stage-1 training; recorded in the model's config.json.</summary>
public sealed record TrainConfig
{
    public int BatchSize { get; init; } = 8;
    /// <summary>Stage-1 steps; training stops there (or earlier with --minutes).</summary>
    public int Steps { get; init; } = 200_000;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>The learning rate decays along a cosine to this value at <see cref="Steps"/>.</summary>
    public double LearningRateMin { get; init; } = 1e-4;
    public int WarmupSteps { get; init; } = 500;
    public double AdamBeta1 { get; init; } = 0.5;
    public double AdamBeta2 { get; init; } = 0.9;
    public double AdamEpsilon { get; init; } = 1e-8;
    /// <summary>Gradients with a larger global norm are scaled down to it; 0 turns clipping off.</summary>
    public double GradientClip { get; init; } = 10;
    /// <summary>Decoupled weight decay (AdamW): each step shrinks the weights by learning rate × this; 0 is plain
    /// Adam.</summary>
    public double WeightDecay { get; init; }
    /// <summary>
    /// Keep an exponential moving average of the weights with this decay (e.g. 0.999) and validate,
    /// evaluate and save it instead of the last step's weights; null: off.
    /// </summary>
    public double? EmaDecay { get; init; }

    /// <summary>
    /// Final weight of the KL term: 0.005 since config version 3 (against 0.02 it kept more of the
    /// held-out clips at 11,000 steps; the trained prior, not N(0, I), is what generation samples).
    /// </summary>
    public double Beta { get; init; } = 0.005;
    /// <summary>β rises from this value to <see cref="Beta"/> in log space over
    /// <see cref="BetaWarmupSteps"/>.</summary>
    public double BetaStart { get; init; } = 1e-6;
    public int BetaWarmupSteps { get; init; } = 10_000;

    /// <summary>Augmentation: random gain within ± this many dB.</summary>
    public double AugmentGainDb { get; init; } = 3;
    /// <summary>Augmentation: delay the clip by up to this many milliseconds (silence in front).</summary>
    public double AugmentShiftMs { get; init; } = 5;
    /// <summary>Augmentation: chance of a random all-pass filter (phase changes, same magnitude spectrum).</summary>
    public double AugmentAllpassProbability { get; init; } = 0.5;
    /// <summary>
    /// Augmentation: retune the clip (pitch and length together, as a sampler does) by up to ± this
    /// many semitones; 0 = off. With the shelf it helped held-out kits (docs/benchmarks.md); configs
    /// of version 1 that lack it keep it off (<see cref="RunConfig.Parse"/>).
    /// </summary>
    public double AugmentPitchSemitones { get; init; } = 3;
    /// <summary>Augmentation: a high shelf (corner 1–4 kHz) of up to ± this many dB, peak kept; 0 = off.</summary>
    public double AugmentShelfDb { get; init; } = 6;

    /// <summary>
    /// More datasets to learn from (`--also-train-on`): all their clips, every split, join the
    /// training clips; validation, test and latent.json stay the main dataset's, so held-out kits stay held out.
    /// </summary>
    public string[] ExtraData { get; init; } = [];

    /// <summary>
    /// A model directory whose weights a new run starts from (`--init-from`), with a fresh optimiser
    /// and schedule: fine-tuning. Recorded so a model says what it grew from; null = random weights.
    /// </summary>
    public string? InitFrom { get; init; }

    /// <summary>
    /// Attribute-regularised training (AR-VAE, Pati &amp; Lerch 2020): each named descriptor here
    /// (brightness, noisiness, attack, decay, pitch, level) owns one latent dimension, in this order
    /// from dimension 0, and the loss <see cref="AttributeWeight"/> · Σ mean over pairs of the batch of
    /// |tanh(<see cref="AttributeDelta"/> · (z_i − z_j)) − sign(a_i − a_j)| orders that dimension like the descriptor.
    /// </summary>
    public string[] Attributes { get; init; } = [];
    /// <summary>γ of the attribute loss.</summary>
    public double AttributeWeight { get; init; } = 1;
    /// <summary>δ of the attribute loss: how sharply a latent difference turns into an ordering.</summary>
    public double AttributeDelta { get; init; } = 10;

    /// <summary>
    /// β-TCVAE's penalty on the total correlation of the aggregate posterior (<see cref="TotalCorrelation"/>),
    /// added on top of β·KL with this weight; 0 = off. Needs a Gaussian posterior (model.flow_steps = 0).
    /// </summary>
    public double TcWeight { get; init; }

    /// <summary>
    /// Semi-amortised training (after Kim et al. 2018, first order): each step also refines the
    /// batch's posterior-mean latents by this many steps of the latent search that `reconstruct`
    /// uses (weights held), decodes the refined latents, and adds that reconstruction loss with
    /// <see cref="RefineWeight"/>. Its gradient reaches the decoder at the refined latent and the
    /// encoder as if it had given that latent itself (the refinement's Jacobian taken as identity),
    /// so the encoder learns to give what refining would find. 0 = off; each step costs about
    /// (2 + this) decoder passes instead of one.
    /// </summary>
    public int RefineSteps { get; init; }
    /// <summary>The weight of the reconstruction at the refined latents (train.refine_steps).</summary>
    public double RefineWeight { get; init; } = 1;

    public int ValidateEvery { get; init; } = 1000;
    public int CheckpointEvery { get; init; } = 1000;
    /// <summary>Checkpoints kept besides the best one.</summary>
    public int KeepCheckpoints { get; init; } = 3;
    /// <summary>Validation clips written as WAV (original and reconstruction) at each validation.</summary>
    public int Examples { get; init; } = 4;
    /// <summary>At most this many validation clips are scored (all when 0).</summary>
    public int ValidationClips { get; init; } = 256;
    /// <summary>A step with a non-finite loss or gradient is skipped; this many in a row stop training.</summary>
    public int MaxBadSteps { get; init; } = 20;
    public int Seed { get; init; } = 1;

    public void Validate()
    {
        static void Require(bool ok, string message) { if (!ok) throw new OneshotException(message); }
        Require(BatchSize >= 1, $"train.batch_size {BatchSize} must be at least 1.");
        Require(Steps >= 1, $"train.steps {Steps} must be at least 1.");
        Require(LearningRate > 0 && LearningRateMin >= 0 && LearningRateMin <= LearningRate,
            "train.learning_rate must be positive and train.learning_rate_min between 0 and it.");
        Require(WarmupSteps >= 0, "train.warmup_steps must not be negative.");
        Require(AdamBeta1 >= 0 && AdamBeta1 < 1 && AdamBeta2 >= 0 && AdamBeta2 < 1,
            "train.adam_beta1 and train.adam_beta2 must be in [0, 1).");
        Require(GradientClip >= 0, "train.gradient_clip must not be negative (0 = off).");
        Require(WeightDecay >= 0 && WeightDecay < 1, $"train.weight_decay {WeightDecay} must be in [0, 1).");
        Require(EmaDecay is null or (> 0 and < 1), $"train.ema_decay {EmaDecay} must be between 0 and 1 (e.g. " +
            $"0.999), or null for none.");
        Require(Beta >= 0 && BetaStart > 0 && BetaWarmupSteps >= 0,
            "train.beta must not be negative, train.beta_start must be positive.");
        Require(AugmentGainDb >= 0 && AugmentShiftMs >= 0 && AugmentAllpassProbability is >= 0 and <= 1
            && AugmentPitchSemitones >= 0 && AugmentShelfDb >= 0,
            "augmentation settings must not be negative (probability at most 1).");
        Require(AugmentPitchSemitones <= 12, $"train.augment_pitch_semitones {AugmentPitchSemitones} is more than an " +
            $"octave; a few semitones is what kits differ by.");
        var names = NamedDescriptor.All.Select(d => d.Name).ToList();
        Require(Attributes.All(names.Contains) && Attributes.Distinct().Count() == Attributes.Length,
            $"train.attributes [{string.Join(", ", Attributes)}] must name each at most once from: " +
                $"{string.Join(", ", names)}.");
        Require(TcWeight >= 0, $"train.tc_weight {TcWeight} must not be negative (0 = off).");
        Require(AttributeWeight >= 0 && AttributeDelta > 0,
            "train.attribute_weight must not be negative and train.attribute_delta must be positive.");
        Require(RefineSteps >= 0 && RefineWeight >= 0, "train.refine_steps and train.refine_weight must not be " +
            "negative (0 steps = off).");
        Require(ValidateEvery >= 1 && CheckpointEvery >= 1,
            "train.validate_every and train.checkpoint_every must be at least 1.");
        Require(KeepCheckpoints >= 1, "train.keep_checkpoints must be at least 1.");
        Require(Examples >= 0 && ValidationClips >= 0 && MaxBadSteps >= 1,
            "train.examples and train.validation_clips must not be negative; train.max_bad_steps at least 1.");
    }
}
