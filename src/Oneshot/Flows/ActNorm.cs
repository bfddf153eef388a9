using Oneshot.TorchInterop;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Oneshot.Flows;

/// <summary>
/// Glow's activation normalisation: u = (x − loc)·exp(−log_scale) per dimension, with loc and scale
/// set from the first batch it sees in training (data-dependent initialisation), so every layer
/// starts on standardised inputs. A dimension with (near) zero variance gets scale 1 instead of
/// an infinite one.
/// </summary>
public sealed class ActNorm : nn.Module, IFlowTransform
{
    const double MinimumStd = 1e-3;
    readonly Parameter loc;
    readonly Parameter log_scale;
    readonly Tensor initialised; // persistent: a loaded flow must not initialise again

    public ActNorm(int dimensions) : base(nameof(ActNorm))
    {
        loc = new Parameter(zeros(dimensions));
        log_scale = new Parameter(zeros(dimensions));
        initialised = zeros(1);
        register_buffer("initialised", initialised);
        RegisterComponents();
    }

    public bool IsInitialised => initialised.any().item<bool>();

    void InitialiseFrom(Tensor x)
    {
        using var _ = no_grad();
        var std = x.shape[0] > 1 ? x.std(0) : ones_like(x[0]);
        loc.copy_(x.mean([0L]));
        log_scale.copy_(where(std.lt(Scalars.Of(MinimumStd)), zeros_like(std), std.log()));
        initialised.fill_(Scalars.One);
    }

    public (Tensor Output, Tensor LogDet) Forward(Tensor x)
    {
        if (training && !IsInitialised) InitialiseFrom(x);
        var output = (x - loc) * log_scale.neg().exp();
        return (output, log_scale.sum().neg().expand(x.shape[0]));
    }

    public (Tensor Output, Tensor LogDet) Inverse(Tensor u) =>
        ((u * log_scale.exp()).Plus(loc), log_scale.sum().expand(u.shape[0]));
}
