using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>
/// β-TCVAE's total correlation KL(q(z) ‖ Π_d q(z_d)) of the aggregate posterior (Chen et al. 2018),
/// with the batch standing for the data: log q(z_i) ≈ logsumexp_j log q(z_i | x_j) − log M over the
/// M clips of the batch, and the same per dimension for the marginals. Chen et al.'s minibatch-weighted
/// form divides by N·M instead, which adds (D − 1)·log N to every estimate — the same gradient, an
/// unreadable value. Needs each clip's posterior density, so only for a Gaussian posterior (no posterior flow).
/// </summary>
public static class TotalCorrelation
{
    /// <param name="z">[M, D] posterior samples; <paramref name="mean"/> and <paramref name="std"/> the batch's
    /// posteriors, [M, D].</param>
    public static Tensor Estimate(Tensor z, Tensor mean, Tensor std)
    {
        double logM = Math.Log(z.shape[0]);
        // log N(z_i,d; μ_j,d, σ_j,d) for every pair: [M, M, D].
        var standardised = (z.unsqueeze(1) - mean.unsqueeze(0)).div(std.unsqueeze(0));
        var logDensity = (standardised.Squared().Times(-0.5) - std.unsqueeze(0).log())
            .Minus(0.5 * Math.Log(2 * Math.PI));
        var logJoint = logDensity.sum(2).logsumexp(1).Minus(logM);                   // [M]
        var logMarginals = logDensity.logsumexp(1).Minus(logM).sum(1);                 // [M]
        return (logJoint - logMarginals).mean();
    }
}
