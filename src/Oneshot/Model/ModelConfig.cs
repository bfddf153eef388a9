namespace Oneshot.Model;

public enum PosteriorFlowKind { None, Iaf, Sylvester }

/// <summary>What the encoder reads.</summary>
public enum EncoderInput { Pqmf, LogMel }

/// <summary>The nonlinearity of the decoder's residual units.</summary>
public enum Activation { LeakyRelu, Snake }

/// <summary>The architecture: every number the model is built from (docs/architecture.md, "The model").</summary>
public sealed record ModelConfig
{
    public int SampleRate { get; init; } = 44100;
    /// <summary>Samples per clip; the dataset's clip length. Clips are padded inside the model to a multiple of the
    /// hop.</summary>
    public int ClipLength { get; init; } = 65536;

    public int Bands { get; init; } = 16;
    public double PqmfAttenuationDb { get; init; } = 90;

    /// <summary>Channels after the first convolution; each stage doubles them (up to
    /// <see cref="MaxChannels"/>).</summary>
    public int Capacity { get; init; } = 32;
    public int MaxChannels { get; init; } = 512;
    public int[] Ratios { get; init; } = [4, 4, 4, 2];
    public int[] Dilations { get; init; } = [1, 3, 9];
    public int KernelSize { get; init; } = 3;
    /// <summary>Channels of the last frames, which are flattened into one vector for μ, σ and the context.</summary>
    public int BottleneckChannels { get; init; } = 64;
    public double LeakySlope { get; init; } = 0.2;
    /// <summary>The decoder's residual units: LeakyReLU (RAVE) or Snake (DAC, BigVGAN: periodic, for partials). The
    /// encoder keeps LeakyReLU.</summary>
    public Activation DecoderActivation { get; init; } = Activation.LeakyRelu;

    /// <summary>
    /// The encoder reads the PQMF bands as RAVE does (the default again since config version 4), or a
    /// log-mel spectrogram (version 3's default: the best held-out log-mel distance at 22.05 kHz, but at
    /// 44.1 kHz its models kept a third of the partials; docs/benchmarks.md, "Confirming at 44.1 kHz").
    /// </summary>
    public EncoderInput EncoderInput { get; init; } = EncoderInput.Pqmf;
    /// <summary>Log-mel input: mel bands per frame.</summary>
    public int EncoderMels { get; init; } = 64;
    /// <summary>Log-mel input: its hop is the bands × the first this-many ratios, and it takes the place of those
    /// encoder stages.</summary>
    public int EncoderMelStages { get; init; } = 2;
    /// <summary>Samples per log-mel frame (the encoder's input rate when it reads log-mels).</summary>
    public int EncoderMelHop => Bands * Ratios.Take(EncoderMelStages).Aggregate(1, (a, b) => a * b);

    /// <summary>N: the length of the one latent vector per clip.</summary>
    public int LatentSize { get; init; } = 64;
    /// <summary>Length of the context vector the encoder hands to the posterior flow.</summary>
    public int ContextSize { get; init; } = 64;

    public PosteriorFlowKind PosteriorFlow { get; init; } = PosteriorFlowKind.Iaf;
    /// <summary>K: flow steps after the diagonal Gaussian; 0 is the plain VAE.</summary>
    public int FlowSteps { get; init; } = 2;
    /// <summary>Hidden units of each IAF step's MADE network.</summary>
    public int FlowHidden { get; init; } = 256;
    /// <summary>M: columns of Q in a Sylvester step (at most the latent size).</summary>
    public int SylvesterRank { get; init; } = 32;

    /// <summary>Adds filtered noise to the waveform head (RAVE v1's noise generator).</summary>
    public bool NoiseBranch { get; init; }
    /// <summary>Band-rate samples per noise frame; the noise filter has Length/2+1 bins.</summary>
    public int NoiseFrameLength { get; init; } = 32;

    /// <summary>FiLM from z after every decoder stage (a per-channel scale and shift), so the latent steers every scale
    /// of the sound.</summary>
    public bool DecoderFilm { get; init; }
    /// <summary>
    /// Time-position channels: this many smooth functions of where in the clip a frame lies (half-sines
    /// sin(πk·t/T), k = 1…P), added after every decoder stage through a 1×1 convolution that starts at
    /// zero, so a stage that sees only a few frames around it still knows how far into the clip it is; 0: none.
    /// </summary>
    public int DecoderPositions { get; init; }

    /// <summary>
    /// The model settings that add decoder parts which start silent or nearly (FiLM and positions at
    /// zero; each mode at softplus(−7) ≈ 0.001 of full scale), so a trained model can grow them with
    /// `--init-from` and sound almost the same at the first step; every other model setting comes from
    /// the source model. Nearly is not silent to a log-spectral loss: 110 modes grown on the drums
    /// model raised its spectral loss from ~6 to ~16 at the first step, back to ~7 within 200 steps.
    /// </summary>
    public static readonly IReadOnlyList<string> DecoderAdditions =
        ["decoder_film", "decoder_positions", "modes", "mode_hidden", "mode_min_hz", "mode_max_hz"];

    /// <summary>Damped modes added to the decoder's output (<see cref="ModeBranch"/>), for partials; 0: none.</summary>
    public int Modes { get; init; }
    /// <summary>Hidden units of the network that sets the modes from z.</summary>
    public int ModeHidden { get; init; } = 256;
    /// <summary>The modes' log-spaced bands run from here…</summary>
    public double ModeMinHz { get; init; } = 30;
    /// <summary>…to here (below half the sample rate).</summary>
    public double ModeMaxHz { get; init; } = 16000;

    public int[] StftSizes { get; init; } = [2048, 1024, 512, 256, 128];
    public int[] BandStftSizes { get; init; } = [256, 128, 64, 32];
    /// <summary>
    /// Level (dB below a full-scale sine's peak bin) under which the training loss's log distance
    /// stops caring: its ε. Null keeps RAVE's ε = 1e-7 (the default: a floor of −100 dB did not
    /// reconstruct the test kits better in a 2,000-step A/B; docs/benchmarks.md).
    /// </summary>
    public double? SpectralFloorDb { get; init; }

    /// <summary>Samples per latent frame of the convolutional stack: bands × Π ratios.</summary>
    public int Hop => Bands * Ratios.Aggregate(1, (a, b) => a * b);
    /// <summary>The clip length rounded up to a whole number of hops.</summary>
    public int PaddedLength => (ClipLength + Hop - 1) / Hop * Hop;
    public int Frames => PaddedLength / Hop;
    public int ChannelsAt(int stage) => Math.Min(MaxChannels, Capacity << stage);
    public int ActiveFlowSteps => PosteriorFlow == PosteriorFlowKind.None ? 0 : FlowSteps;

    /// <summary>Throws a message naming the setting when a value cannot build a model.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message) { if (!ok) throw new OneshotException(message); }
        Require(SampleRate >= 8000 && SampleRate <= 192000,
            $"model.sample_rate {SampleRate} is out of range (8000 to 192000 Hz).");
        Require(ClipLength >= 256, $"model.clip_length {ClipLength} is too short.");
        Require(Bands >= 1 && (Bands & (Bands - 1)) == 0 && Bands <= 64,
            $"model.bands {Bands} must be a power of two from 1 to 64.");
        Require(PqmfAttenuationDb >= 40 && PqmfAttenuationDb <= 150,
            $"model.pqmf_attenuation_db {PqmfAttenuationDb} must be between 40 and 150.");
        Require(Capacity >= 1 && MaxChannels >= Capacity, $"model.capacity {Capacity} must be at least 1 and at most " +
            $"model.max_channels ({MaxChannels}).");
        Require(Ratios.Length >= 1 && Ratios.All(r => r >= 2 && r % 2 == 0),
            $"model.ratios [{string.Join(", ", Ratios)}] must be even numbers (2 or more), at least one.");
        Require(Dilations.All(d => d >= 1), "model.dilations must be positive.");
        Require(KernelSize >= 1 && KernelSize % 2 == 1, $"model.kernel_size {KernelSize} must be odd.");
        Require(BottleneckChannels >= 1, "model.bottleneck_channels must be positive.");
        Require(LatentSize >= 1, "model.latent_size must be positive.");
        Require(ContextSize >= 0, "model.context_size must not be negative.");
        Require(FlowSteps >= 0 && FlowSteps <= 64, $"model.flow_steps {FlowSteps} must be between 0 and 64.");
        Require(PosteriorFlow == PosteriorFlowKind.None || FlowSteps == 0 || LatentSize >= 2,
            "a posterior flow needs model.latent_size of 2 or more.");
        Require(FlowHidden >= 2, "model.flow_hidden must be at least 2.");
        Require(SylvesterRank >= 1 && SylvesterRank <= LatentSize,
            $"model.sylvester_rank {SylvesterRank} must be between 1 and model.latent_size ({LatentSize}).");
        Require(NoiseFrameLength >= 4 && NoiseFrameLength % 2 == 0,
            "model.noise_frame_length must be even and at least 4.");
        Require(!NoiseBranch || (PaddedLength / Bands) % NoiseFrameLength == 0,
            $"model.noise_frame_length {NoiseFrameLength} must divide the band length {PaddedLength / Bands}.");
        Require(DecoderPositions >= 0 && DecoderPositions <= 256,
            $"model.decoder_positions {DecoderPositions} must be 0 (none) to 256.");
        Require(Modes >= 0 && Modes <= 1024 && ModeHidden >= 1,
            $"model.modes {Modes} must be 0 (none) to 1024, and model.mode_hidden at least 1.");
        Require(Modes == 0 || (ModeMinHz > 0 && ModeMinHz < ModeMaxHz && ModeMaxHz < SampleRate / 2.0),
            $"model.mode_min_hz {ModeMinHz} and model.mode_max_hz {ModeMaxHz} must rise from above 0 to below half " +
                $"the sample rate ({SampleRate / 2} Hz).");
        Require(StftSizes.Length > 0 && StftSizes.All(n => n >= 16 && n <= PaddedLength),
            $"model.stft_sizes must be between 16 and the clip length ({PaddedLength}).");
        Require(EncoderMels >= 8 && EncoderMelStages >= 1 && EncoderMelStages <= Ratios.Length,
            $"model.encoder_mels {EncoderMels} must be 8 or more and model.encoder_mel_stages {EncoderMelStages} " +
                $"from 1 to the number of ratios ({Ratios.Length}).");
        Require(SpectralFloorDb is null or (>= -200 and <= -20),
            $"model.spectral_floor_db {SpectralFloorDb} must be between -200 and -20 dB.");
        Require(Bands == 1 || BandStftSizes.All(n => n >= 8 && n <= PaddedLength / Bands),
            $"model.band_stft_sizes must be between 8 and the band length ({PaddedLength / Bands}).");
    }
}
