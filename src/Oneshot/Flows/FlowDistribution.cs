using Oneshot.TorchInterop;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Flows;

public enum FlowKind { Nsf, Maf, RealNvp }

/// <summary>
/// A normalizing-flow density over D dimensions: x ↦ u through the layers, u ~ N(0, I).
/// log p(x) = log N(u; 0, I) + Σ log|det|; sampling draws u with standard deviation T (the
/// temperature) and runs the layers backwards.
/// </summary>
public sealed class FlowDistribution : nn.Module
{
    static readonly double HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);
    readonly nn.Module layers;
    readonly IFlowTransform[] _layers;

    /// <param name="layerCount">Flow blocks: nsf and realnvp blocks are ActNorm → invertible linear → coupling; maf
    /// blocks are MAF → reverse.</param>
    public FlowDistribution(FlowKind kind, int dimensions, int layerCount, int hidden, int bins = 8, double bound = 3,
        long seed = 1) : base(nameof(FlowDistribution))
    {
        if (dimensions < 2) throw new ArgumentException($"a flow prior needs at least 2 dimensions, got {dimensions}");
        Dimensions = dimensions;
        var blocks = new List<IFlowTransform>();
        for (int i = 0; i < layerCount; i++)
        {
            switch (kind)
            {
                case FlowKind.Maf:
                    blocks.Add(new AffineAutoregressive(dimensions, hidden));
                    blocks.Add(new Reverse());
                    break;
                default:
                    blocks.Add(new ActNorm(dimensions));
                    blocks.Add(new InvertibleLinear(dimensions, Seeds.MixInt(seed, i)));
                    blocks.Add(kind == FlowKind.Nsf ? new SplineCoupling(dimensions, i % 2, hidden, bins, bound)
                        : new AffineCoupling(dimensions, i % 2, hidden));
                    break;
            }
        }
        _layers = blocks.ToArray();
        layers = nn.ModuleList(_layers.Cast<nn.Module>().ToArray());
        RegisterComponents();
    }

    public int Dimensions { get; }

    /// <summary>The base-space point and Σ log|det| for data x ([B, D]).</summary>
    public (Tensor U, Tensor LogDet) ToBase(Tensor x)
    {
        var logDet = zeros(x.shape[0], dtype: x.dtype, device: x.device);
        foreach (var layer in _layers)
        {
            var (next, step) = layer.Forward(x);
            x = next;
            logDet = logDet.Plus(step);
        }
        return (x, logDet);
    }

    public Tensor FromBase(Tensor u)
    {
        for (int i = _layers.Length - 1; i >= 0; i--) u = _layers[i].Inverse(u).Output;
        return u;
    }

    /// <summary>log p(x) per row, in nats.</summary>
    public Tensor LogProb(Tensor x)
    {
        var (u, logDet) = ToBase(x);
        return u.Squared().Times(-0.5).Minus(HalfLogTwoPi).sum(1).Plus(logDet);
    }

    /// <summary>Samples with the base scaled by <paramref name="temperature"/> (0 gives every sample the same
    /// point).</summary>
    public Tensor Sample(int count, double temperature, Generator? generator = null, Device? device = null,
        ScalarType dtype = ScalarType.Float32)
    {
        using Scalar scale = temperature;
        var u = randn([count, Dimensions], generator: generator, device: device, dtype: dtype).mul(scale);
        return FromBase(u);
    }
}
