using Oneshot.TorchInterop;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>The parameters of q(z₀|x) for a batch: μ, σ and the flow's context, each [B, ·].</summary>
public sealed record Posterior(Tensor Mean, Tensor Std, Tensor Context);

/// <summary>
/// RAVE-v2-style encoder of the PQMF bands, ending in one vector per clip: the fixed number of
/// frames is flattened and a linear layer gives μ, σ (softplus + 1e-4) and the context.
/// </summary>
public sealed class Encoder : nn.Module<Tensor, Posterior>
{
    readonly WeightNormConv input;
    readonly nn.Module<Tensor, Tensor> stages;
    readonly WeightNormConv bottleneck;
    readonly Linear head;
    readonly ModelConfig _config;

    public Encoder(ModelConfig config) : base(nameof(Encoder))
    {
        _config = config;
        input = new WeightNormConv(config.Bands, config.Capacity, 7, padding: 3);
        stages = nn.Sequential(config.Ratios.Select((r, i) =>
            ((string, nn.Module<Tensor, Tensor>))($"{i}", new Stage(config.ChannelsAt(i), config.ChannelsAt(i + 1), r, upsample: false, config))).ToArray());
        bottleneck = new WeightNormConv(config.ChannelsAt(config.Ratios.Length), config.BottleneckChannels, config.KernelSize, padding: config.KernelSize / 2);
        head = nn.Linear(config.BottleneckChannels * config.Frames, 2 * config.LatentSize + config.ContextSize);
        RegisterComponents();
    }

    /// <param name="bands">[B, M, T/M], the PQMF analysis of the (padded) clips.</param>
    public override Posterior forward(Tensor bands)
    {
        var h = stages.forward(input.forward(bands));
        h = bottleneck.forward(h.LeakyRelu(_config.LeakySlope));
        var output = head.forward(h.flatten(1).LeakyRelu(_config.LeakySlope));
        int n = _config.LatentSize;
        var mean = output.narrow(1, 0, n);
        var std = output.narrow(1, n, n).Softplus().Plus(1e-4);
        var context = output.narrow(1, 2 * n, _config.ContextSize);
        return new Posterior(mean, std, context);
    }
}
