using static TorchSharp.torch;

namespace Oneshot.Flows;

/// <summary>
/// A rational-quadratic spline coupling layer (Neural Spline Flow): half the dimensions pass
/// unchanged and parameterise a monotonic spline applied to the other half.
/// </summary>
public sealed class SplineCoupling : nn.Module, IFlowTransform
{
    readonly CouplingNetwork network;
    readonly CouplingSplit _split;
    readonly int _bins;
    readonly double _bound;

    public SplineCoupling(int dimensions, int parity, int hidden, int bins, double bound) : base(nameof(SplineCoupling))
    {
        if (bins < 2) throw new ArgumentException($"a spline needs at least 2 bins, got {bins}");
        _split = new CouplingSplit(dimensions, parity);
        _bins = bins;
        _bound = bound;
        network = new CouplingNetwork(_split.Kept.Length, hidden,
            _split.Changed.Length * RationalQuadraticSpline.ParameterCount(bins));
        RegisterComponents();
    }

    (Tensor Output, Tensor LogDet) Apply(Tensor x, bool inverse)
    {
        var (kept, changed) = _split.Split(x);
        var parameters = network.forward(kept).view(x.shape[0], _split.Changed.Length,
            RationalQuadraticSpline.ParameterCount(_bins));
        var (transformed, logDet) = RationalQuadraticSpline.Apply(changed, parameters, _bins, _bound, inverse);
        return (_split.Join(kept, transformed), logDet);
    }

    public (Tensor Output, Tensor LogDet) Forward(Tensor x) => Apply(x, inverse: false);

    public (Tensor Output, Tensor LogDet) Inverse(Tensor u) => Apply(u, inverse: true);
}
