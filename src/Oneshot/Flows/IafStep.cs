using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Flows;

/// <summary>
/// One gated inverse autoregressive flow step (Kingma et al. 2016): a MADE network gives (m, s)
/// from z and the context; σ = sigmoid(s + 2); z' = σ⊙z + (1−σ)⊙m; log|det| = Σ log σ. The +2 and a
/// small output layer make each step start close to the identity.
/// </summary>
public sealed class IafStep : MadeLayer, IConditionalTransform
{
    const double GateBias = 2;

    public IafStep(int dimensions, int hidden, int contextSize) : base(nameof(IafStep), dimensions, hidden, contextSize)
    {
        using (no_grad())
        {
            Output.Weight.mul_(Scalars.Of(0.01));
            Output.Bias.zero_();
        }
    }

    (Tensor Shift, Tensor GateLogits) ShiftAndGate(Tensor z, Tensor contextVector)
    {
        var (shift, gate) = Made(z, contextVector);
        return (shift, gate.Plus(GateBias));
    }

    public (Tensor Output, Tensor LogDet) Forward(Tensor z, Tensor contextVector)
    {
        var (shift, logits) = ShiftAndGate(z, contextVector);
        var gate = nn.functional.sigmoid(logits);
        var result = (gate * z).Plus(gate.SubtractedFrom(1) * shift);
        return (result, nn.functional.logsigmoid(logits).sum(1));
    }

    /// <summary>Sequential inverse: each pass fixes one more dimension, so D passes are exact.</summary>
    public Tensor Inverse(Tensor output, Tensor contextVector)
    {
        var z = zeros_like(output);
        for (int i = 0; i < Dimensions; i++)
        {
            var (shift, logits) = ShiftAndGate(z, contextVector);
            var gate = nn.functional.sigmoid(logits);
            z = (output - gate.SubtractedFrom(1) * shift) / gate;
        }
        return z;
    }
}
