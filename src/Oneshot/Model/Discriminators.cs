using Oneshot.TorchInterop;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>A discriminator's verdict: a score map per clip and the feature maps on the way (for feature
/// matching).</summary>
public sealed record Judgement(Tensor Score, IReadOnlyList<Tensor> Features)
{
    const double Slope = 0.2;

    /// <summary>Runs <paramref name="x"/> through the layers (each followed by LeakyReLU(0.2), its output kept as a
    /// feature map), then the scoring layer.</summary>
    public static Judgement Of(Tensor x, IEnumerable<nn.Module<Tensor, Tensor>> layers, nn.Module<Tensor,
        Tensor> output)
    {
        var features = new List<Tensor>();
        foreach (var layer in layers)
        {
            x = layer.forward(x).LeakyRelu(Slope);
            features.Add(x);
        }
        return new Judgement(output.forward(x).flatten(1), features);
    }
}

/// <summary>
/// HiFi-GAN's period discriminator: the waveform folded into [T/p, p] and judged by 2-D
/// convolutions that run along time only (kernel (5, 1), stride (3, 1)), so it sees every p-th
/// sample — periodic structure a waveform discriminator misses.
/// </summary>
public sealed class PeriodDiscriminator : nn.Module<Tensor, Judgement>
{
    readonly ModuleList<Conv2d> layers;
    readonly Conv2d output;
    readonly int _period;

    public PeriodDiscriminator(int period, int capacity, int maxChannels) : base(nameof(PeriodDiscriminator))
    {
        _period = period;
        int[] channels = [1, .. new[] { 1, 4, 16, 32 }.Select(m => Math.Min(capacity * m, maxChannels))];
        layers = nn.ModuleList(Enumerable.Range(0, channels.Length - 1)
            .Select(i => nn.Conv2d(channels[i], channels[i + 1], (5, 1), stride: (3, 1), padding: (2, 0))).ToArray());
        output = nn.Conv2d(channels[^1], 1, (3, 1), padding: (1, 0));
        RegisterComponents();
    }

    public override Judgement forward(Tensor audio)
    {
        long batch = audio.shape[0], length = audio.shape[^1];
        long padded = (length + _period - 1) / _period * _period;
        var x = nn.functional.pad(audio.view(batch, 1, length), [0, padded - length], PaddingModes.Reflect)
            .view(batch, 1, padded / _period, _period);
        return Judgement.Of(x, layers, output);
    }
}

/// <summary>
/// MelGAN's waveform discriminator at one resolution: strided 1-D convolutions over the clip. The
/// long strided layers are grouped (4 input channels per group, as in MelGAN), which keeps their
/// 41-sample reach at a fraction of a dense convolution's cost — dense, they made a stage-2 step
/// ten times slower than a stage-1 step on a CPU.
/// </summary>
public sealed class ScaleDiscriminator : nn.Module<Tensor, Judgement>
{
    readonly ModuleList<WeightNormConv> layers;
    readonly WeightNormConv output;

    public ScaleDiscriminator(int capacity, int maxChannels) : base(nameof(ScaleDiscriminator))
    {
        int c1 = capacity, c2 = Math.Min(4 * capacity, maxChannels), c3 = Math.Min(16 * capacity, maxChannels);
        static long Groups(int inputs, int outputs) => Math.Max(1, Math.Min(inputs, outputs) / 4);
        layers = nn.ModuleList(
            new WeightNormConv(1, c1, 15, padding: 7),
            new WeightNormConv(c1, c2, 41, stride: 4, padding: 20, groups: Groups(c1, c2)),
            new WeightNormConv(c2, c3, 41, stride: 4, padding: 20, groups: Groups(c2, c3)),
            new WeightNormConv(c3, c3, 41, stride: 4, padding: 20, groups: Groups(c3, c3)),
            new WeightNormConv(c3, c3, 5, padding: 2));
        output = new WeightNormConv(c3, 1, 3, padding: 1);
        RegisterComponents();
    }

    public override Judgement forward(Tensor audio)
    {
        var x = audio.unsqueeze(1);
        return Judgement.Of(x, layers, output);
    }
}

/// <summary>
/// EnCodec's STFT discriminator at one resolution: the complex spectrogram (real and imaginary
/// parts as two channels) judged by 2-D convolutions that stride along frequency, so phase and
/// fine spectral detail are both seen.
/// </summary>
public sealed class StftDiscriminator : nn.Module<Tensor, Judgement>
{
    readonly ModuleList<Conv2d> layers;
    readonly Conv2d output;
    readonly Tensor window;
    readonly int _fftSize;

    public StftDiscriminator(int fftSize, int capacity, int maxChannels) : base(nameof(StftDiscriminator))
    {
        _fftSize = fftSize;
        int c = Math.Min(capacity, maxChannels);
        layers = nn.ModuleList(
            nn.Conv2d(2, c, (3, 9), padding: (1, 4)),
            nn.Conv2d(c, c, (3, 9), stride: (1, 2), padding: (1, 4)),
            nn.Conv2d(c, c, (3, 9), stride: (1, 2), padding: (1, 4)),
            nn.Conv2d(c, c, (3, 9), stride: (1, 2), padding: (1, 4)),
            nn.Conv2d(c, c, (3, 3), padding: (1, 1)));
        output = nn.Conv2d(c, 1, (3, 3), padding: (1, 1));
        window = hann_window(fftSize);
        RegisterComponents();
    }

    public override Judgement forward(Tensor audio)
    {
        var spectrum = stft(audio, _fftSize, _fftSize / 4, _fftSize, window, center: true,
            pad_mode: PaddingModes.Reflect, return_complex: true);
        var x = view_as_real(spectrum).permute(0, 3, 2, 1);                  // [B, 2, frames, bins]
        return Judgement.Of(x, layers, output);
    }
}

/// <summary>
/// Every discriminator of stage 2: one period discriminator per period (2, 3, 5, 7, 11 by default),
/// scale discriminators on the waveform and on 2×, 4×… average-pooled copies of it, and optionally
/// STFT discriminators at several resolutions.
/// </summary>
public sealed class DiscriminatorSet : nn.Module<Tensor, IReadOnlyList<Judgement>>
{
    readonly ModuleList<PeriodDiscriminator> periods;
    readonly ModuleList<ScaleDiscriminator> scales;
    readonly ModuleList<StftDiscriminator> spectrograms;

    /// <param name="fftSizes">Resolutions of the optional STFT discriminators (none by default).</param>
    public DiscriminatorSet(IReadOnlyList<int> periodList, int scaleCount, int capacity, int maxChannels,
        IReadOnlyList<int>? fftSizes = null) : base(nameof(DiscriminatorSet))
    {
        periods = nn.ModuleList(periodList.Select(p => new PeriodDiscriminator(p, capacity, maxChannels)).ToArray());
        scales = nn.ModuleList(Enumerable.Range(0, scaleCount)
            .Select(_ => new ScaleDiscriminator(capacity, maxChannels)).ToArray());
        spectrograms =
            nn.ModuleList((fftSizes ?? []).Select(n => new StftDiscriminator(n, capacity, maxChannels)).ToArray());
        RegisterComponents();
    }

    public int Count => periods.Count + scales.Count + spectrograms.Count;

    /// <param name="audio">[B, T] clips.</param>
    public override IReadOnlyList<Judgement> forward(Tensor audio)
    {
        var judgements = periods.Select(d => d.forward(audio)).ToList();
        var x = audio;
        for (int i = 0; i < scales.Count; i++)
        {
            if (i > 0)
                x = nn.functional.avg_pool1d(x.unsqueeze(1), 4, stride: 2, padding: 1, count_include_pad: false)
                    .squeeze(1);
            judgements.Add(scales[i].forward(x));
        }
        judgements.AddRange(spectrograms.Select(d => d.forward(audio)));
        return judgements;
    }
}
