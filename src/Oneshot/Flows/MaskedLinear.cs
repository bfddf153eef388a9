using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Oneshot.Flows;

/// <summary>
/// A linear layer whose weight is multiplied by a fixed 0/1 mask — MADE's building block
/// (Germain et al. 2015). Masks come from unit degrees: an input unit of degree d feeds hidden units
/// of degree ≥ d, and an output of degree d sees only hidden units of degree &lt; d, so output d
/// depends on inputs 1…d−1 only.
/// </summary>
public sealed class MaskedLinear : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter bias;
    Tensor mask;

    public MaskedLinear(int[] inputDegrees, int[] outputDegrees, bool strict) : base(nameof(MaskedLinear))
    {
        int inputs = inputDegrees.Length, outputs = outputDegrees.Length;
        var values = new float[outputs * inputs];
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < inputs; i++)
                values[o * inputs + i] = (strict ? outputDegrees[o] > inputDegrees[i]
                    : outputDegrees[o] >= inputDegrees[i]) ? 1 : 0;
        mask = tensor(values, [outputs, inputs]);
        double bound = 1 / Math.Sqrt(inputs);
        using (no_grad())
        {
            weight = new Parameter(empty(outputs, inputs).uniform_(-bound, bound));
            bias = new Parameter(empty(outputs).uniform_(-bound, bound));
        }
        register_buffer("mask", mask, persistent: false);
        RegisterComponents();
    }

    // The mask is a non-persistent buffer (saved priors have none), and TorchSharp leaves a field
    // registered under its own name behind on .to(device) (DeviceTests): move it with the module.
    protected override nn.Module _to(DeviceType deviceType, int deviceIndex, bool non_blocking)
    {
        var moved = base._to(deviceType, deviceIndex, non_blocking);
        FollowWeight();
        return moved;
    }

    protected override nn.Module _to(Device device, ScalarType dtype, bool non_blocking)
    {
        var moved = base._to(device, dtype, non_blocking);
        FollowWeight();
        return moved;
    }

    void FollowWeight()
    {
        if (mask.device_type == weight.device_type && mask.device_index == weight.device_index) return;
        // the old one may still be held as the registered buffer: left to the collector
        mask = mask.to(weight.device);
    }

    public Tensor Weight => weight;
    public Tensor Bias => bias;

    public override Tensor forward(Tensor x) => nn.functional.linear(x, weight * mask, bias);

    /// <summary>Input degrees 1…D.</summary>
    public static int[] InputDegrees(int dimensions) => Enumerable.Range(1, dimensions).ToArray();

    /// <summary>Hidden degrees cycling through 1…D−1, so every input dependency is reachable.</summary>
    public static int[] HiddenDegrees(int units, int dimensions) =>
        Enumerable.Range(0, units).Select(i => dimensions <= 1 ? 1 : i % (dimensions - 1) + 1).ToArray();
}
