using Oneshot.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Flows;

/// <summary>
/// A masked autoregressive flow layer (MAF, Papamakarios et al. 2017): u_i = (x_i − μ_i(x_&lt;i))·exp(−α_i(x_&lt;i)).
/// The density needs one MADE pass; sampling inverts one dimension per pass (D passes). α is
/// soft-clamped like the affine coupling's scale.
/// </summary>
public sealed class AffineAutoregressive : nn.Module, IFlowTransform
{
    const double ScaleLimit = 3;
    readonly MaskedLinear first;
    readonly MaskedLinear second;
    readonly MaskedLinear output;
    readonly int _dimensions;

    public AffineAutoregressive(int dimensions, int hidden) : base(nameof(AffineAutoregressive))
    {
        _dimensions = dimensions;
        int[] inputs = MaskedLinear.InputDegrees(dimensions);
        int[] hiddenDegrees = MaskedLinear.HiddenDegrees(hidden, dimensions);
        first = new MaskedLinear(inputs, hiddenDegrees, strict: false);
        second = new MaskedLinear(hiddenDegrees, hiddenDegrees, strict: false);
        output = new MaskedLinear(hiddenDegrees, [.. inputs, .. inputs], strict: true);
        using (no_grad())
        {
            output.Weight.zero_();
            output.Bias.zero_();
        }
        RegisterComponents();
    }

    (Tensor Shift, Tensor LogScale) Made(Tensor x)
    {
        var h = second.forward(first.forward(x).Elu()).Elu();
        var ms = output.forward(h);
        return (ms.narrow(1, 0, _dimensions), AffineCoupling.SoftClamp(ms.narrow(1, _dimensions, _dimensions), ScaleLimit));
    }

    public (Tensor Output, Tensor LogDet) Forward(Tensor x)
    {
        var (shift, logScale) = Made(x);
        return ((x - shift) * logScale.neg().exp(), logScale.sum(1).neg());
    }

    public (Tensor Output, Tensor LogDet) Inverse(Tensor u)
    {
        var x = zeros_like(u);
        Tensor logScale = zeros_like(u);
        for (int i = 0; i < _dimensions; i++)
        {
            (var shift, logScale) = Made(x);
            x = (u * logScale.exp()).Plus(shift);
        }
        return (x, logScale.sum(1));
    }
}
