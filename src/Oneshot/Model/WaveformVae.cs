using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>What one pass over a batch produces, for the losses and the metrics.</summary>
public sealed record VaeOutput(Tensor Reconstruction, Tensor ReconstructionBands, Tensor TargetBands,
    Posterior Posterior, Tensor Z, Tensor KlPerItem);

/// <summary>
/// The waveform VAE (docs/architecture.md, "The model"): PQMF analysis → encoder → one latent vector (diagonal
/// Gaussian, then K flow steps) → decoder → PQMF synthesis. Clips are zero-padded to a whole number of hops
/// inside and cropped back, so the output is exactly as long as the input.
/// </summary>
public sealed class WaveformVae : nn.Module
{
    static readonly double HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);

    readonly Pqmf pqmf;
    readonly Encoder encoder;
    readonly PosteriorFlow flow;
    readonly Decoder decoder;
    readonly ModeBranch? modes;

    public WaveformVae(ModelConfig config) : base(nameof(WaveformVae))
    {
        config.Validate();
        Config = config;
        pqmf = new Pqmf(config.Bands, config.PqmfAttenuationDb);
        encoder = new Encoder(config);
        flow = new PosteriorFlow(config);
        decoder = new Decoder(config);
        if (config.Modes > 0) modes = new ModeBranch(config);
        RegisterComponents();
    }

    public ModelConfig Config { get; }
    public Pqmf Pqmf => pqmf;
    public PosteriorFlow Flow => flow;

    public IEnumerable<nn.Module> EncoderModules => [encoder, flow];
    public IEnumerable<nn.Module> DecoderModules => modes is null ? [decoder] : [decoder, modes];

    /// <summary>Whether a parameter belongs to a part <see cref="ModelConfig.DecoderAdditions"/> adds (modes, FiLM,
    /// positions).</summary>
    public static bool IsDecoderAddition(string parameterName) =>
        parameterName.StartsWith($"{nameof(modes)}.", StringComparison.Ordinal)
        || parameterName.StartsWith($"{nameof(decoder)}.film.", StringComparison.Ordinal)
        || parameterName.StartsWith($"{nameof(decoder)}.positions.", StringComparison.Ordinal);

    /// <summary>Whether the decoder adds its filtered-noise branch (when configured); see
    /// <see cref="Stage2Config"/>.</summary>
    public bool NoiseEnabled { get => decoder.NoiseEnabled; set => decoder.NoiseEnabled = value; }

    /// <summary>A configured noise branch plays from the start without a stage 2, else from the stage-2 start
    /// on.</summary>
    public static bool NoiseOnAt(RunConfig config, long step) => config.Stage2.StartStep is not int start
        || step >= start;

    Tensor Pad(Tensor clips)
    {
        if (clips.shape[^1] != Config.ClipLength)
            throw new ArgumentException($"clips have {clips.shape[^1]} samples; this model takes {Config.ClipLength}");
        int extra = Config.PaddedLength - Config.ClipLength;
        return extra == 0 ? clips : nn.functional.pad(clips, [0, extra]);
    }

    /// <summary>The bands the decoder is trained to produce for these clips: [B, M, T'/M].</summary>
    public Tensor AnalysisBands(Tensor clips) => pqmf.Analysis(Pad(clips));

    public Posterior Encode(Tensor clips) => encoder.forward(EncoderInputOf(clips, null));

    /// <summary>What the encoder reads: the PQMF bands (reusing <paramref name="bands"/> when given), or the padded
    /// clips for its log-mels.</summary>
    Tensor EncoderInputOf(Tensor clips, Tensor? bands) =>
        Config.EncoderInput == EncoderInput.LogMel ? Pad(clips) : bands ?? AnalysisBands(clips);

    /// <summary>The deterministic latent of each clip: the flow applied to the posterior mean.</summary>
    public Tensor EncodeMean(Tensor clips) => MeanLatent(Encode(clips));

    /// <summary>
    /// Encodes <paramref name="count"/> clips a batch at a time without gradients, handing each
    /// batch's posterior (on the model's device) and the index of its first clip to <paramref name="use"/>,
    /// inside a dispose scope: what <paramref name="use"/> keeps it moves out of the scope.
    /// </summary>
    public void EncodeInBatches(int count, Func<int, float[]> clip, int batchSize, Action<int, Posterior> use)
    {
        var device = parameters().First().device;
        for (int start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            int size = Math.Min(batchSize, count - start);
            use(start, Encode(stack(Enumerable.Range(start, size).Select(i => tensor(clip(i))).ToArray()).to(device)));
        }
    }

    /// <summary>The deterministic latents of many clips, [count][N] (what `oneshot encode` gives).</summary>
    public float[][] EncodeMeans(int count, Func<int, float[]> clip, int batchSize)
    {
        var latents = new float[count][];
        EncodeInBatches(count, clip, batchSize, (start, posterior) =>
        {
            var z = MeanLatent(posterior).cpu();
            for (int i = 0; i < z.shape[0]; i++) latents[start + i] = z[i].data<float>().ToArray();
        });
        return latents;
    }

    /// <summary>The deterministic latent of an already computed posterior.</summary>
    public Tensor MeanLatent(Posterior posterior) =>
        flow.Count == 0 ? posterior.Mean : flow.Forward(posterior.Mean, posterior.Context).Output;

    /// <summary>Latents [B, N] → bands [B, M, T'/M]; the modes, when there are any, enter as bands too, so every loss
    /// and the synthesis see them.</summary>
    public Tensor DecodeBands(Tensor z, Generator? generator = null)
    {
        var bands = decoder.forward(z, generator);
        return modes is null ? bands : bands.Plus(pqmf.Analysis(modes.forward(z)));
    }

    /// <summary>Latents [B, N] → clips [B, T].</summary>
    public Tensor Decode(Tensor z, Generator? generator = null) => Synthesise(DecodeBands(z, generator));

    /// <summary>Decoded bands [B, M, T'/M] → clips [B, T], cut to the clip length.</summary>
    public Tensor Synthesise(Tensor bands) => pqmf.Synthesis(bands).narrow(1, 0, Config.ClipLength);

    /// <summary>Samples z from the posterior and returns it with the KL to N(0, I) per clip.</summary>
    public (Tensor Z, Tensor KlPerItem) SamplePosterior(Posterior posterior, Generator? generator)
    {
        var noise = randn(posterior.Mean.shape, generator: generator, device: posterior.Mean.device);
        var z0 = posterior.Mean.Plus(posterior.Std * noise);
        if (flow.Count == 0) return (z0, AnalyticKl(posterior.Mean, posterior.Std).sum(1));
        var (z, logDet) = flow.Forward(z0, posterior.Context);
        return (z, MonteCarloKl(noise, posterior.Std, z, logDet));
    }

    /// <summary>KL(N(μ, σ²) ‖ N(0, 1)) per dimension: ½(μ² + σ² − 1) − log σ.</summary>
    public static Tensor AnalyticKl(Tensor mean, Tensor std) =>
        mean.Squared().Plus(std.Squared()).Minus(1).Times(0.5) - std.log();

    /// <summary>
    /// One-sample estimate of KL(q ‖ p) = log q(z_K|x) − log p(z_K), with
    /// log q(z_K|x) = log N(z₀; μ, σ²) − Σ_k log|det J_k| and z₀ = μ + σ·noise.
    /// </summary>
    public static Tensor MonteCarloKl(Tensor noise, Tensor std, Tensor zK, Tensor logDet)
    {
        var logQ0 = (noise.Squared().Times(-0.5) - std.log()).Minus(HalfLogTwoPi).sum(1);
        var logP = zK.Squared().Times(-0.5).Minus(HalfLogTwoPi).sum(1);
        return logQ0 - logDet - logP;
    }

    /// <summary>Encode, sample, decode: everything a training step needs.</summary>
    public VaeOutput Forward(Tensor clips, Generator? generator)
    {
        var targetBands = AnalysisBands(clips);
        var posterior = encoder.forward(EncoderInputOf(clips, targetBands));
        var (z, kl) = SamplePosterior(posterior, generator);
        var bands = DecodeBands(z, generator);
        var reconstruction = Synthesise(bands);
        return new VaeOutput(reconstruction, bands, targetBands, posterior, z, kl);
    }

    /// <summary>Folds weight normalisation for inference (<see cref="WeightNormConv.Freeze"/>).</summary>
    public void Freeze()
    {
        eval();
        foreach (var (_, module) in named_modules()) if (module is WeightNormConv conv) conv.Freeze();
    }

    public void Unfreeze()
    {
        foreach (var (_, module) in named_modules()) if (module is WeightNormConv conv) conv.Unfreeze();
    }
}
