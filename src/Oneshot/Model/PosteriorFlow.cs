using Oneshot.Flows;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>
/// K conditional flow steps after the diagonal Gaussian posterior, with the order of dimensions
/// reversed between IAF steps so that every dimension gets to depend on every other.
/// </summary>
public sealed class PosteriorFlow : nn.Module
{
    readonly nn.Module steps;
    readonly IConditionalTransform[] _steps;
    readonly bool _reverseBetween;

    public PosteriorFlow(ModelConfig config) : base(nameof(PosteriorFlow))
    {
        int k = config.ActiveFlowSteps;
        _reverseBetween = config.PosteriorFlow == PosteriorFlowKind.Iaf;
        _steps = Enumerable.Range(0, k).Select(_ => config.PosteriorFlow switch
        {
            PosteriorFlowKind.Iaf => (IConditionalTransform)new IafStep(config.LatentSize, config.FlowHidden,
                Math.Max(1, config.ContextSize)),
            PosteriorFlowKind.Sylvester =>
                new SylvesterStep(config.LatentSize, config.SylvesterRank, Math.Max(1, config.ContextSize)),
            _ => throw new ArgumentOutOfRangeException(nameof(config)),
        }).ToArray();
        steps = nn.ModuleList(_steps.Cast<nn.Module>().ToArray());
        RegisterComponents();
    }

    public int Count => _steps.Length;

    /// <summary>A context of width 0 becomes one zero column (steps then learn plain parameters).</summary>
    static Tensor Widen(Tensor context) => context.shape[1] > 0 ? context
        : zeros(context.shape[0], 1, device: context.device, dtype: context.dtype);

    public (Tensor Output, Tensor LogDet) Forward(Tensor z, Tensor context)
    {
        context = Widen(context);
        var logDet = zeros(z.shape[0], device: z.device, dtype: z.dtype);
        for (int k = 0; k < _steps.Length; k++)
        {
            if (k > 0 && _reverseBetween) z = z.flip(1);
            var (next, stepLogDet) = _steps[k].Forward(z, context);
            z = next;
            logDet = logDet.Plus(stepLogDet);
        }
        if (_steps.Length > 1 && _reverseBetween && _steps.Length % 2 == 0) z = z.flip(1); // back to the input order
        return (z, logDet);
    }

    public Tensor Inverse(Tensor output, Tensor context)
    {
        context = Widen(context);
        var z = output;
        if (_steps.Length > 1 && _reverseBetween && _steps.Length % 2 == 0) z = z.flip(1);
        for (int k = _steps.Length - 1; k >= 0; k--)
        {
            z = _steps[k].Inverse(z, context);
            if (k > 0 && _reverseBetween) z = z.flip(1);
        }
        return z;
    }
}
