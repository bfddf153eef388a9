using static TorchSharp.torch;

namespace Oneshot.Flows;

/// <summary>
/// An invertible map used by a flow distribution. Forward goes from data to the base space (the
/// density direction); Inverse goes back (the sampling direction). Both return log|det| of their own
/// Jacobian per row ([B]), so Inverse's is minus Forward's at the matching point.
/// </summary>
public interface IFlowTransform
{
    (Tensor Output, Tensor LogDet) Forward(Tensor x);

    (Tensor Output, Tensor LogDet) Inverse(Tensor u);
}
