using static TorchSharp.torch;

namespace Oneshot.Flows;

/// <summary>Reverses the order of the dimensions (between autoregressive layers); volume-preserving.</summary>
public sealed class Reverse : nn.Module, IFlowTransform
{
    public Reverse() : base(nameof(Reverse)) { }

    public (Tensor Output, Tensor LogDet) Forward(Tensor x) =>
        (x.flip(1), zeros(x.shape[0], dtype: x.dtype, device: x.device));

    public (Tensor Output, Tensor LogDet) Inverse(Tensor u) => Forward(u);
}
