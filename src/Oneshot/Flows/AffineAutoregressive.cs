using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Flows;

/// <summary>
/// A masked autoregressive flow layer (MAF, Papamakarios et al. 2017): u_i = (x_i − μ_i(x_&lt;i))·exp(−α_i(x_&lt;i)).
/// The density needs one MADE pass; sampling inverts one dimension per pass (D passes). α is
/// soft-clamped like the affine coupling's scale.
/// </summary>
public sealed class AffineAutoregressive : MadeLayer, IFlowTransform
{
    const double ScaleLimit = 3;

    public AffineAutoregressive(int dimensions, int hidden) : base(nameof(AffineAutoregressive), dimensions, hidden)
    {
        using (no_grad())
        {
            Output.Weight.zero_();
            Output.Bias.zero_();
        }
    }

    (Tensor Shift, Tensor LogScale) ShiftAndLogScale(Tensor x)
    {
        var (shift, scale) = Made(x);
        return (shift, AffineCoupling.SoftClamp(scale, ScaleLimit));
    }

    public (Tensor Output, Tensor LogDet) Forward(Tensor x)
    {
        var (shift, logScale) = ShiftAndLogScale(x);
        return ((x - shift) * logScale.neg().exp(), logScale.sum(1).neg());
    }

    public (Tensor Output, Tensor LogDet) Inverse(Tensor u)
    {
        var x = zeros_like(u);
        Tensor logScale = zeros_like(u);
        for (int i = 0; i < Dimensions; i++)
        {
            (var shift, logScale) = ShiftAndLogScale(x);
            x = (u * logScale.exp()).Plus(shift);
        }
        return (x, logScale.sum(1));
    }
}
