using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>
/// Snake, x + sin²(αx)/α with α per channel (Ziyin et al. 2020; DAC and BigVGAN use it in their
/// decoders): a periodic activation, so a convolution stack can hold a steady oscillation instead of
/// building it from piecewise-linear pieces. α starts at 1.
/// </summary>
public sealed class Snake : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Parameter alpha;

    public Snake(int channels) : base(nameof(Snake))
    {
        alpha = new TorchSharp.Modules.Parameter(ones(1, channels, 1));
        RegisterComponents();
    }

    /// <param name="x">[B, C, T]</param>
    public override Tensor forward(Tensor x)
    {
        // 1e-9 keeps α → 0 finite (the limit is x + α·x², i.e. x).
        return x.Plus(sin(x.mul(alpha)).Squared().div(alpha.Plus(1e-9)));
    }
}

/// <summary>LeakyReLU as a module, so a residual unit can hold either activation; it has no parameters, so models saved
/// with it are unchanged.</summary>
public sealed class LeakyActivation(double slope) : nn.Module<Tensor, Tensor>(nameof(LeakyActivation))
{
    public override Tensor forward(Tensor x) => x.LeakyRelu(slope);
}
