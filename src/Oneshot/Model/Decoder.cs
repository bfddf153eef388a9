using System.Collections.Concurrent;
using Oneshot.TorchInterop;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>
/// The mirror of the encoder: a linear layer from z to the first frames, transposed-convolution
/// stages with residual units, and a multiband head whose output is waveform ⊙ sigmoid(amplitude)
/// per band, plus filtered noise when configured. Returns bands; PQMF synthesis is the model's.
/// </summary>
public sealed class Decoder : nn.Module<Tensor, Generator?, Tensor>
{
    readonly Linear head;
    readonly WeightNormConv input;
    readonly nn.Module<Tensor, Tensor> stages;
    readonly WeightNormConv output;
    readonly NoiseGenerator? noise;
    readonly ModuleList<Linear>? film;
    readonly ModuleList<Linear>? positions;
    // per stage length; the instrument decodes from several threads
    readonly ConcurrentDictionary<long, float[]> positionValues = new();
    readonly ModelConfig _config;

    public Decoder(ModelConfig config) : base(nameof(Decoder))
    {
        _config = config;
        int depth = config.Ratios.Length;
        head = nn.Linear(config.LatentSize, config.BottleneckChannels * config.Frames);
        input = new WeightNormConv(config.BottleneckChannels, config.ChannelsAt(depth), config.KernelSize,
            padding: config.KernelSize / 2);
        stages = nn.Sequential(Enumerable.Range(0, depth).Reverse().Select(i =>
            ((string, nn.Module<Tensor, Tensor>))($"{i}", new Stage(config.ChannelsAt(i + 1), config.ChannelsAt(i),
                config.Ratios[i], upsample: true, config))).ToArray());
        output = new WeightNormConv(config.Capacity, 2 * config.Bands, 7, padding: 3);
        if (config.NoiseBranch) noise = new NoiseGenerator(config);
        // Both start at zero, so the decoder begins as without them. FiLM: a scale and shift per stage, from z.
        if (config.DecoderFilm) film = ZeroPerStage(depth, i => nn.Linear(config.LatentSize, 2 * config.ChannelsAt(i)));
        if (config.DecoderPositions > 0)
            positions = ZeroPerStage(depth, i => nn.Linear(config.DecoderPositions, config.ChannelsAt(i)));
        RegisterComponents();
    }

    /// <summary>One layer per stage, deepest first as the stages run, with weights and biases at zero.</summary>
    static ModuleList<Linear> ZeroPerStage(int depth, Func<int, Linear> layerAt)
    {
        var layers = nn.ModuleList(Enumerable.Range(0, depth).Reverse().Select(layerAt).ToArray());
        using (no_grad())
            foreach (var layer in layers)
            {
                layer.weight!.zero_();
                layer.bias!.zero_();
            }
        return layers;
    }

    /// <summary>Whether a configured noise branch is added (it switches on with stage 2 when there is one).</summary>
    public bool NoiseEnabled { get; set; } = true;

    /// <param name="z">[B, N]</param>
    /// <param name="generator">Random source for the noise branch (null: the global one).</param>
    /// <returns>[B, M, T/M] band signals.</returns>
    public override Tensor forward(Tensor z, Generator? generator)
    {
        var h = head.forward(z).view(z.shape[0], _config.BottleneckChannels, _config.Frames);
        h = input.forward(h);
        if (film is null && positions is null) h = stages.forward(h);
        else
        {
            int i = 0;
            foreach (var stage in stages.children().Cast<nn.Module<Tensor, Tensor>>())
            {
                h = stage.forward(h);
                long channels = h.shape[1];
                if (film is not null)
                {
                    // FiLM (Perez et al. 2018): z reaches every stage, not only the first frames.
                    var scaleShift = film[i].forward(z).unsqueeze(-1);                 // [B, 2C, 1]
                    h = h.mul(scaleShift.narrow(1, 0, channels).Plus(1)).Plus(scaleShift.narrow(1, channels, channels));
                }
                if (positions is not null)
                    // [1, C, T]
                    h = h.Plus(positions[i].forward(PositionFeatures(h.shape[2], h.device)).t().unsqueeze(0));
                i++;
            }
        }
        h = h.LeakyRelu(_config.LeakySlope);
        var waveAndAmplitude = output.forward(h);
        var bands = waveAndAmplitude.narrow(1, 0, _config.Bands) * nn.functional.sigmoid(
            waveAndAmplitude.narrow(1, _config.Bands, _config.Bands));
        if (noise is not null && NoiseEnabled) bands = bands.Plus(noise.forward(h, generator));
        return bands;
    }

    /// <summary>[T, P]: sin(π·k·(t + ½)/T) for k = 1…P, the first P shapes a smooth envelope over the clip is made
    /// of.</summary>
    Tensor PositionFeatures(long frames, Device device)
    {
        if (!positionValues.TryGetValue(frames, out var values))
        {
            int p = _config.DecoderPositions;
            values = new float[frames * p];
            for (long t = 0; t < frames; t++)
                for (int k = 1; k <= p; k++)
                    values[t * p + k - 1] = (float)Math.Sin(Math.PI * k * (t + 0.5) / frames);
            positionValues[frames] = values;
        }
        return tensor(values, [frames, _config.DecoderPositions]).to(device);
    }
}
