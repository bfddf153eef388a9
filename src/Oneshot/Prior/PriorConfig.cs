using System.Text.Json;
using System.Text.Json.Serialization;
using Oneshot.Model;

namespace Oneshot.Prior;

/// <summary>What `oneshot prior train` fits: a density over the frozen posterior's latents. Spelt in prior.json as
/// `--flow` spells it.</summary>
public enum PriorKind { Standard, Gaussian, Gmm, Nsf, Maf, [JsonStringEnumMemberName("realnvp")] RealNvp }

/// <summary>Settings of a prior; kept in prior.json. `--set prior.KEY=VALUE` changes any of them.</summary>
public sealed record PriorConfig
{
    public PriorKind Kind { get; init; } = PriorKind.Nsf;
    /// <summary>Flow blocks (nsf, realnvp: ActNorm → LU linear → coupling; maf: MAF → reverse).</summary>
    public int Layers { get; init; } = 4;
    public int Hidden { get; init; } = 128;
    /// <summary>Spline bins and half-width of the spline interval, in standard deviations of the standardised
    /// latents.</summary>
    public int Bins { get; init; } = 8;
    public double Bound { get; init; } = 4;
    /// <summary>Mixture components of the gmm prior.</summary>
    public int Components { get; init; } = 8;
    public int Steps { get; init; } = 5000;
    public int BatchSize { get; init; } = 256;
    public double LearningRate { get; init; } = 1e-3;
    public double LearningRateMin { get; init; } = 1e-5;
    /// <summary>Adam's moment decays and ε for the flow's fit (Adam's own defaults: a density fit has none of a GAN's
    /// reasons to lower β₁).</summary>
    public double AdamBeta1 { get; init; } = 0.9;
    public double AdamBeta2 { get; init; } = 0.999;
    public double AdamEpsilon { get; init; } = 1e-8;
    /// <summary>The gradient's global norm is clipped to this before each step.</summary>
    public double GradientClip { get; init; } = 10;
    /// <summary>Training stops with an error after this many steps in a row whose loss is not finite.</summary>
    public int MaxBadSteps { get; init; } = 20;
    public int ValidateEvery { get; init; } = 100;
    /// <summary>Training stops after this many validations without a better held-out NLL.</summary>
    public int Patience { get; init; } = 10;
    /// <summary>Posterior draws per held-out clip (fixed noise, so every validation scores the same points).</summary>
    public int HeldOutDraws { get; init; } = 8;
    /// <summary>Posterior draws per training clip for the closed-form (gaussian) and EM (gmm) fits.</summary>
    public int FitDraws { get; init; } = 32;
    public int Seed { get; init; } = 1;

    public bool IsFlow => Kind is PriorKind.Nsf or PriorKind.Maf or PriorKind.RealNvp;

    public void Validate()
    {
        static void Require(bool ok, string message) { if (!ok) throw new OneshotException(message); }
        Require(Layers >= 1 && Hidden >= 1, "prior.layers and prior.hidden must be at least 1.");
        Require(Bins >= 2 && Bound > 0, "prior.bins must be at least 2 and prior.bound positive.");
        Require(Components >= 1, "prior.components must be at least 1.");
        Require(Steps >= 1 && BatchSize >= 2, "prior.steps must be at least 1 and prior.batch_size at least 2.");
        Require(LearningRate > 0 && LearningRateMin >= 0 && LearningRateMin <= LearningRate,
            "prior.learning_rate must be positive and prior.learning_rate_min between 0 and it.");
        Require(ValidateEvery >= 1 && Patience >= 1, "prior.validate_every and prior.patience must be at least 1.");
        Require(HeldOutDraws >= 1 && FitDraws >= 1, "prior.held_out_draws and prior.fit_draws must be at least 1.");
        Require(AdamBeta1 is >= 0 and < 1 && AdamBeta2 is >= 0 and < 1 && AdamEpsilon > 0,
            "prior.adam_beta1 and prior.adam_beta2 must lie in [0, 1) and prior.adam_epsilon be positive.");
        Require(GradientClip > 0 && MaxBadSteps >= 1, "prior.gradient_clip must be positive and prior.max_bad_steps " +
            "at least 1.");
    }

    sealed record Wrapper(PriorConfig Prior);

    /// <summary>Applies `--set prior.KEY=VALUE` overrides.</summary>
    public PriorConfig With(IEnumerable<string> assignments)
    {
        var root = JsonSerializer.SerializeToNode(new Wrapper(this), RunConfig.Json)!.AsObject();
        string json = SettingOverrides.Apply(root, assignments, "prior.layers=6");
        try
        {
            return JsonSerializer.Deserialize<Wrapper>(json, RunConfig.Json)!.Prior;
        }
        catch (JsonException e)
        {
            throw new OneshotException($"--set: {e.Message}", e);
        }
    }
}
