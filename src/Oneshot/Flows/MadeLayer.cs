using Oneshot.TorchInterop;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Oneshot.Flows;

/// <summary>
/// The MADE network shared by the autoregressive flows (<see cref="IafStep"/>, <see cref="AffineAutoregressive"/>):
/// two masked hidden layers with ELU and a masked output of two values per dimension, where output i
/// sees inputs 1…i−1 only. An optional context vector is added after the first layer.
/// </summary>
public abstract class MadeLayer : nn.Module
{
    readonly MaskedLinear first;
    readonly Linear? context;
    readonly MaskedLinear second;
    readonly MaskedLinear output;

    protected MadeLayer(string name, int dimensions, int hidden, int contextSize = 0) : base(name)
    {
        Dimensions = dimensions;
        int[] inputs = MaskedLinear.InputDegrees(dimensions);
        int[] hiddenDegrees = MaskedLinear.HiddenDegrees(hidden, dimensions);
        first = new MaskedLinear(inputs, hiddenDegrees, strict: false);
        context = contextSize > 0 ? nn.Linear(contextSize, hidden) : null;
        second = new MaskedLinear(hiddenDegrees, hiddenDegrees, strict: false);
        output = new MaskedLinear(hiddenDegrees, [.. inputs, .. inputs], strict: true);
        // Registered by hand under the names saved models use; subclasses own no modules of their own.
        register_module("first", first);
        if (context is not null) register_module("context", context);
        register_module("second", second);
        register_module("output", output);
    }

    protected int Dimensions { get; }

    /// <summary>The output layer, for subclasses that start it small so the layer starts near the identity.</summary>
    protected MaskedLinear Output => output;

    /// <summary>The two outputs per dimension, each of shape [batch, D].</summary>
    protected (Tensor A, Tensor B) Made(Tensor x, Tensor? contextVector = null)
    {
        var h = first.forward(x);
        if (context is not null)
            h = h.Plus(context.forward(contextVector ?? throw new ArgumentNullException(nameof(contextVector))));
        h = second.forward(h.Elu()).Elu();
        var ab = output.forward(h);
        return (ab.narrow(1, 0, Dimensions), ab.narrow(1, Dimensions, Dimensions));
    }
}
