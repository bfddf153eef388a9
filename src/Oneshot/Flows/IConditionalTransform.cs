using static TorchSharp.torch;

namespace Oneshot.Flows;

/// <summary>An invertible map of z ([B, D]) given a context ([B, C]), with its log-Jacobian.</summary>
public interface IConditionalTransform
{
    /// <returns>The transformed z and log|det ∂z'/∂z| per row ([B]).</returns>
    (Tensor Output, Tensor LogDet) Forward(Tensor z, Tensor context);

    Tensor Inverse(Tensor output, Tensor context);
}
