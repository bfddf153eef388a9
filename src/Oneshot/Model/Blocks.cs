using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>RAVE's residual unit: x + conv₁ₓ₁(act(conv_k,dilated(act(x)))), length preserved.</summary>
public sealed class ResidualUnit : nn.Module<Tensor, Tensor>
{
    readonly WeightNormConv dilated;
    readonly WeightNormConv pointwise;
    // Named act1/act2: with Snake their α are saved as "….act1.alpha"; LeakyReLU saves nothing.
    readonly nn.Module<Tensor, Tensor> act1, act2;

    public ResidualUnit(int channels, int kernel, int dilation, double slope,
        Activation activation = Activation.LeakyRelu) : base(nameof(ResidualUnit))
    {
        dilated = new WeightNormConv(channels, channels, kernel, padding: dilation * (kernel - 1) / 2,
            dilation: dilation);
        pointwise = new WeightNormConv(channels, channels, 1);
        act1 = activation == Activation.Snake ? new Snake(channels) : new LeakyActivation(slope);
        act2 = activation == Activation.Snake ? new Snake(channels) : new LeakyActivation(slope);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = dilated.forward(act1.forward(x));
        return x.Plus(pointwise.forward(act2.forward(h)));
    }
}

/// <summary>One encoder stage (residual units, then a strided convolution) or its decoder mirror.</summary>
public sealed class Stage : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> units;
    readonly WeightNormConv resample;
    readonly bool _upsample;
    readonly double _slope;

    public Stage(int inChannels, int outChannels, int ratio, bool upsample, ModelConfig config) : base(nameof(Stage))
    {
        _upsample = upsample;
        _slope = config.LeakySlope;
        int unitChannels = upsample ? outChannels : inChannels;
        var activation = upsample ? config.DecoderActivation : Activation.LeakyRelu;
        units =
            nn.Sequential(
            config.Dilations.Select(d => ((string, nn.Module<Tensor, Tensor>))($"{d}",
            new ResidualUnit(unitChannels, config.KernelSize, d, config.LeakySlope, activation))).ToArray());
        // Kernel 2r with stride r and padding r/2 changes the length by exactly r.
        resample = new WeightNormConv(inChannels, outChannels, 2 * ratio, stride: ratio, padding: ratio / 2,
            transposed: upsample);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => _upsample
        ? units.forward(resample.forward(x.LeakyRelu(_slope)))
        : resample.forward(units.forward(x).LeakyRelu(_slope));
}
