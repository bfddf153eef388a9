using Oneshot.TorchInterop;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>
/// A 1-D convolution (or transposed convolution) with weight normalisation (Salimans &amp; Kingma
/// 2016): weight = g · v / ‖v‖, the norm taken per output channel. TorchSharp has no built-in
/// weight_norm, so this keeps g and v as the parameters. For inference, <see cref="Freeze"/> folds
/// g and v into one weight once instead of on every call.
/// </summary>
public sealed class WeightNormConv : nn.Module<Tensor, Tensor>
{
    readonly Parameter v;
    readonly Parameter g;
    readonly Parameter? bias;
    readonly bool _transposed;
    readonly long _stride, _padding, _dilation, _groups;
    readonly long[] _normDims;
    Tensor? _frozen;

    /// <param name="transposed">Transposed convolution (upsampling by <paramref name="stride"/>).</param>
    /// <param name="groups">Grouped convolution (not transposed): each output channel sees inChannels / groups
    /// inputs.</param>
    public WeightNormConv(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0,
        long dilation = 1,
                          bool transposed = false, bool useBias = true, long groups = 1) : base(nameof(WeightNormConv))
    {
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0 || (transposed && groups != 1))
            throw new ArgumentException($"{groups} groups do not divide {inChannels} → {outChannels} " +
                $"channels{(transposed ? " (transposed convolutions take 1 group)" : "")}.", nameof(groups));
        _transposed = transposed;
        _stride = stride;
        _padding = padding;
        _dilation = dilation;
        _groups = groups;
        // Conv weights are [out, in/groups, k]; transposed conv weights are [in, out, k].
        long[] shape = transposed ? [inChannels, outChannels, kernel] : [outChannels, inChannels / groups, kernel];
        _normDims = transposed ? [0, 2] : [1, 2];
        long fanIn = inChannels / groups * kernel;
        double bound = 1 / Math.Sqrt(fanIn);
        using (no_grad())
        {
            var initial = empty(shape).uniform_(-bound * Math.Sqrt(3), bound * Math.Sqrt(3));
            var norm = Norm(initial);
            v = new Parameter(initial); // takes over the tensor's handle
            g = new Parameter(norm);
            if (useBias) bias = new Parameter(empty(outChannels).uniform_(-bound, bound));
        }
        RegisterComponents();
    }

    Tensor Norm(Tensor weight) => weight.Squared().sum(_normDims, keepdim: true).sqrt();

    public Tensor Weight() => _frozen ?? v * (g / Norm(v).ClampMin(1e-12));

    /// <summary>Computes the weight once for inference; call <see cref="Unfreeze"/> before training or loading
    /// weights.</summary>
    public void Freeze()
    {
        _frozen?.Dispose();
        using (no_grad()) _frozen = (v * (g / Norm(v).ClampMin(1e-12))).detach().DetachFromDisposeScope();
    }

    public void Unfreeze()
    {
        _frozen?.Dispose();
        _frozen = null;
    }

    public override Tensor forward(Tensor x) => _transposed
        ? nn.functional.conv_transpose1d(x, Weight(), bias, stride: _stride, padding: _padding, dilation: _dilation)
        : nn.functional.conv1d(x, Weight(), bias, stride: _stride, padding: _padding, dilation: _dilation,
            groups: _groups);

    protected override void Dispose(bool disposing)
    {
        if (disposing) Unfreeze();
        base.Dispose(disposing);
    }
}
