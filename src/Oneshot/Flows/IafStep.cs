using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Oneshot.Native;

namespace Oneshot.Flows;

/// <summary>
/// One gated inverse autoregressive flow step (Kingma et al. 2016): a MADE network gives (m, s)
/// from z and the context; σ = sigmoid(s + 2); z' = σ⊙z + (1−σ)⊙m; log|det| = Σ log σ. The +2 and a
/// small output layer make each step start close to the identity.
/// </summary>
public sealed class IafStep : nn.Module, IConditionalTransform
{
    const double GateBias = 2;
    readonly MaskedLinear first;
    readonly Linear context;
    readonly MaskedLinear second;
    readonly MaskedLinear output;
    readonly int _dimensions;

    public IafStep(int dimensions, int hidden, int contextSize) : base(nameof(IafStep))
    {
        _dimensions = dimensions;
        int[] inputs = MaskedLinear.InputDegrees(dimensions);
        int[] hiddenDegrees = MaskedLinear.HiddenDegrees(hidden, dimensions);
        int[] outputs = [.. inputs, .. inputs]; // m and s for each dimension
        first = new MaskedLinear(inputs, hiddenDegrees, strict: false);
        context = nn.Linear(contextSize, hidden);
        second = new MaskedLinear(hiddenDegrees, hiddenDegrees, strict: false);
        output = new MaskedLinear(hiddenDegrees, outputs, strict: true);
        using (no_grad())
        {
            output.Weight.mul_(Scalars.Of(0.01));
            output.Bias.zero_();
        }
        RegisterComponents();
    }

    (Tensor Shift, Tensor GateLogits) Made(Tensor z, Tensor contextVector)
    {
        var h = first.forward(z);
        h = h.Plus(context.forward(contextVector)).Elu();
        h = second.forward(h).Elu();
        var ms = output.forward(h);
        return (ms.narrow(1, 0, _dimensions), ms.narrow(1, _dimensions, _dimensions).Plus(GateBias));
    }

    public (Tensor Output, Tensor LogDet) Forward(Tensor z, Tensor contextVector)
    {
        var (shift, logits) = Made(z, contextVector);
        var gate = nn.functional.sigmoid(logits);
        var result = (gate * z).Plus(gate.SubtractedFrom(1) * shift);
        return (result, nn.functional.logsigmoid(logits).sum(1));
    }

    /// <summary>Sequential inverse: each pass fixes one more dimension, so D passes are exact.</summary>
    public Tensor Inverse(Tensor output, Tensor contextVector)
    {
        var z = zeros_like(output);
        for (int i = 0; i < _dimensions; i++)
        {
            var (shift, logits) = Made(z, contextVector);
            var gate = nn.functional.sigmoid(logits);
            z = (output - gate.SubtractedFrom(1) * shift) / gate;
        }
        return z;
    }
}
