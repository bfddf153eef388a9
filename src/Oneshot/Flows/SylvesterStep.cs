using Oneshot.TorchInterop;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Oneshot.Flows;

/// <summary>
/// Orthogonal Sylvester flow step (van den Berg et al. 2018): z' = z + Q R₁ tanh(R₂ Qᵀ z + b), with
/// Q (D×M) orthonormal and R₁, R₂ upper triangular with tanh diagonals, so that
/// log|det| = Σᵢ log|1 + R₁ᵢᵢ R₂ᵢᵢ tanh'(·)ᵢ| and the map is always invertible. Here Q is shared by all
/// inputs (the QR factor of a learned matrix); R₁, R₂ and b are computed from the context.
/// </summary>
public sealed class SylvesterStep : nn.Module, IConditionalTransform
{
    readonly Parameter basis;          // [D, M], orthonormalised by QR
    readonly Linear upper1, upper2;    // context → strictly upper parts of R₁, R₂
    readonly Linear diagonal1, diagonal2;
    readonly Linear shift;
    readonly Tensor strictlyUpper;
    readonly int _rank;

    public SylvesterStep(int dimensions, int rank, int contextSize) : base(nameof(SylvesterStep))
    {
        _rank = rank;
        using (var seeded = new Generator((ulong)(dimensions * 7919 + rank)))
        using (no_grad())
            basis = new Parameter(randn(dimensions, rank, generator: seeded));
        upper1 = nn.Linear(contextSize, rank * rank);
        upper2 = nn.Linear(contextSize, rank * rank);
        diagonal1 = nn.Linear(contextSize, rank);
        diagonal2 = nn.Linear(contextSize, rank);
        shift = nn.Linear(contextSize, rank);
        using (no_grad())
            foreach (var layer in new[] { upper1, upper2 })
            {
                layer.weight!.mul_(Scalars.Of(0.01));
                layer.bias!.zero_();
            }
        strictlyUpper = ones(rank, rank).triu(1);
        register_buffer("strictly_upper", strictlyUpper, persistent: false);
        RegisterComponents();
    }

    public Tensor Q() => linalg.qr(basis).Q;

    (Tensor R1, Tensor R2, Tensor Diagonal1, Tensor Diagonal2, Tensor B) Parameters(Tensor context)
    {
        long batch = context.shape[0];
        var d1 = tanh(diagonal1.forward(context));
        var d2 = tanh(diagonal2.forward(context));
        var r1 = (upper1.forward(context).view(batch, _rank, _rank) * strictlyUpper).Plus(diag_embed(d1));
        var r2 = (upper2.forward(context).view(batch, _rank, _rank) * strictlyUpper).Plus(diag_embed(d2));
        return (r1, r2, d1, d2, shift.forward(context));
    }

    public (Tensor Output, Tensor LogDet) Forward(Tensor z, Tensor context)
    {
        var q = Q();
        var (r1, r2, d1, d2, b) = Parameters(context);
        var projected = z.matmul(q);                                                   // [B, M]
        var h = tanh(bmm(r2, projected.unsqueeze(2)).squeeze(2).Plus(b));
        var output = z.Plus(bmm(r1, h.unsqueeze(2)).squeeze(2).matmul(q.t()));
        var logDet = (d1 * d2 * h.Squared().SubtractedFrom(1)).Plus(1).abs().log().sum(1);
        return (output, logDet);
    }

    /// <summary>
    /// The part of z outside span(Q) is unchanged; inside, q' = q + R₁ tanh(R₂q + b) is upper
    /// triangular in structure, so it is solved from the last coordinate up, each a monotone scalar
    /// equation solved by bisection. Exact to float precision; meant for checks, not for speed.
    /// </summary>
    public Tensor Inverse(Tensor output, Tensor context)
    {
        using var _ = no_grad();
        var q = Q();
        var (r1, r2, _, _, b) = Parameters(context);
        var target = output.matmul(q);                                                // q' [B, M]
        var solved = zeros_like(target);
        // |q| can not exceed this
        var bound = r1.abs().sum([1, 2]).Plus(target.abs().amax(1)).Plus(1);
        for (int i = _rank - 1; i >= 0; i--)
        {
            var low = -bound.clone();
            var high = bound.clone();
            for (int iteration = 0; iteration < 200; iteration++)
            {
                var middle = low.Plus(high).DividedBy(2);
                var trial = solved.clone();
                trial[TensorIndex.Colon, i] = middle;
                var h = tanh(bmm(r2, trial.unsqueeze(2)).squeeze(2).Plus(b));
                var value = trial[TensorIndex.Colon, i].Plus(bmm(r1, h.unsqueeze(2)).squeeze(2)[TensorIndex.Colon, i]);
                var tooHigh = value > target[TensorIndex.Colon, i];
                high = where(tooHigh, middle, high);
                low = where(tooHigh, low, middle);
            }
            solved[TensorIndex.Colon, i] = low.Plus(high).DividedBy(2);
        }
        // Replace the span(Q) component of the output by the solved one.
        return output - (target - solved).matmul(q.t());
    }
}
