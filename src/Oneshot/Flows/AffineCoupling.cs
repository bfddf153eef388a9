using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Flows;

/// <summary>
/// RealNVP's affine coupling, u = x·exp(s) + t on the changed half, with the log-scale soft-clamped
/// to (−c, c) by (2c/π)·atan(π s/2c) — slope 1 at zero, never the unbounded exp that makes NaNs.
/// </summary>
public sealed class AffineCoupling : nn.Module, IFlowTransform
{
    const double ScaleLimit = 3;
    readonly CouplingNetwork network;
    readonly CouplingSplit _split;

    public AffineCoupling(int dimensions, int parity, int hidden) : base(nameof(AffineCoupling))
    {
        _split = new CouplingSplit(dimensions, parity);
        network = new CouplingNetwork(_split.Kept.Length, hidden, 2 * _split.Changed.Length);
        RegisterComponents();
    }

    (Tensor Kept, Tensor Changed, Tensor Shift, Tensor LogScale) Parameters(Tensor x)
    {
        var (kept, changed) = _split.Split(x);
        var output = network.forward(kept);
        int n = _split.Changed.Length;
        return (kept, changed, output.narrow(1, 0, n), SoftClamp(output.narrow(1, n, n), ScaleLimit));
    }

    /// <summary>(2c/π)·atan(π s/2c): bounded by ±c, the identity near zero.</summary>
    public static Tensor SoftClamp(Tensor s, double limit) =>
        s.Times(Math.PI / (2 * limit)).atan().Times(2 * limit / Math.PI);

    public (Tensor Output, Tensor LogDet) Forward(Tensor x)
    {
        var (kept, changed, shift, logScale) = Parameters(x);
        return (_split.Join(kept, (changed * logScale.exp()).Plus(shift)), logScale.sum(1));
    }

    public (Tensor Output, Tensor LogDet) Inverse(Tensor u)
    {
        var (kept, changed, shift, logScale) = Parameters(u);
        return (_split.Join(kept, (changed - shift) * logScale.neg().exp()), logScale.sum(1).neg());
    }
}
