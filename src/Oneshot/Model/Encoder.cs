using Oneshot.TorchInterop;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>The parameters of q(z₀|x) for a batch: μ, σ and the flow's context, each [B, ·].</summary>
public sealed record Posterior(Tensor Mean, Tensor Std, Tensor Context);

/// <summary>
/// RAVE-v2-style encoder of the PQMF bands, ending in one vector per clip: the fixed number of
/// frames is flattened and a linear layer gives μ, σ (softplus + 1e-4) and the context. With
/// <see cref="EncoderInput.LogMel"/> it reads a log-mel spectrogram of the clip instead, at the
/// frame rate of its first <see cref="ModelConfig.EncoderMelStages"/> stages, which it then skips.
/// </summary>
public sealed class Encoder : nn.Module<Tensor, Posterior>
{
    readonly WeightNormConv input;
    readonly nn.Module<Tensor, Tensor> stages;
    readonly WeightNormConv bottleneck;
    readonly Linear head;
    readonly ModelConfig _config;
    readonly Tensor? melFilters;    // [mels, fft/2 + 1]
    readonly Tensor? melWindow;
    readonly int _firstStage;

    public Encoder(ModelConfig config) : base(nameof(Encoder))
    {
        _config = config;
        if (config.EncoderInput == EncoderInput.LogMel)
        {
            _firstStage = config.EncoderMelStages;
            int fft = 4 * config.EncoderMelHop;
            melFilters =
                tensor(Audio.MelFilterbank.Create(config.SampleRate, fft, config.EncoderMels, 0,
                config.SampleRate / 2.0), [config.EncoderMels, fft / 2 + 1]);
            melWindow = hann_window(fft);
            input = new WeightNormConv(config.EncoderMels, config.ChannelsAt(_firstStage), 7, padding: 3);
        }
        else input = new WeightNormConv(config.Bands, config.Capacity, 7, padding: 3);
        stages = nn.Sequential(config.Ratios.Select((r, i) => (r, i)).Skip(_firstStage).Select(p =>
            ((string, nn.Module<Tensor, Tensor>))($"{p.i}", new Stage(config.ChannelsAt(p.i),
                config.ChannelsAt(p.i + 1), p.r, upsample: false, config))).ToArray());
        bottleneck = new WeightNormConv(config.ChannelsAt(config.Ratios.Length), config.BottleneckChannels,
            config.KernelSize, padding: config.KernelSize / 2);
        head = nn.Linear(config.BottleneckChannels * config.Frames, 2 * config.LatentSize + config.ContextSize);
        RegisterComponents();
    }

    /// <param name="bands">[B, M, T/M], the PQMF analysis of the (padded) clips; with log-mel input, the padded clips
    /// [B, T].</param>
    public override Posterior forward(Tensor bands)
    {
        var h = stages.forward(input.forward(melFilters is null ? bands : LogMel(bands)));
        h = bottleneck.forward(h.LeakyRelu(_config.LeakySlope));
        var output = head.forward(h.flatten(1).LeakyRelu(_config.LeakySlope));
        int n = _config.LatentSize;
        var mean = output.narrow(1, 0, n);
        var std = output.narrow(1, n, n).Softplus().Plus(1e-4);
        var context = output.narrow(1, 2 * n, _config.ContextSize);
        return new Posterior(mean, std, context);
    }

    /// <summary>[B, T] → [B, mels, T / hop]: log mel power, the frame centred on each hop.</summary>
    Tensor LogMel(Tensor clips)
    {
        int hop = _config.EncoderMelHop, fft = 4 * hop;
        var spectrum = stft(clips, fft, hop, fft, melWindow!, center: true, pad_mode: PaddingModes.Reflect,
            return_complex: true);
        var power = spectrum.abs().Squared().narrow(2, 0, clips.shape[1] / hop);
        return melFilters!.matmul(power).Plus(1e-5).log();
    }
}
