using Oneshot.TorchInterop;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Evaluation;

/// <summary>
/// Vendi score (Friedman &amp; Dieng 2023): exp of the Shannon entropy of the eigenvalues of K/n, with
/// K the cosine-similarity kernel — the effective number of distinct items (1 when all are alike,
/// n when all are orthogonal). K/n = XXᵀ/n shares its non-zero eigenvalues with XᵀX/n, so the
/// smaller of the two Gram matrices is decomposed.
/// </summary>
public static class VendiScore
{
    public static double Of(EmbeddingMatrix embeddings)
    {
        if (embeddings.Count < 1) throw new OneshotException("The Vendi score needs at least one embedding.");
        using var scope = NewDisposeScope();
        var x = embeddings.ToTensor();
        var norms = x.norm(1, keepdim: true);
        if (norms.min().item<double>() == 0)
            throw new OneshotException("An embedding of all zeros has no direction; the Vendi score uses cosine " +
                "similarity.");
        x = x / norms;
        var gram = embeddings.Count <= embeddings.Dimensions ? x.matmul(x.t()) : x.t().matmul(x);
        using Scalar count = (double)embeddings.Count;
        var eigenvalues = linalg.eigvalsh(gram.div(count)).ClampMin(0);
        var positive = eigenvalues.masked_select(eigenvalues.gt(Scalars.Of(1e-15)));
        double entropy = -(positive * positive.log()).sum().item<double>();
        return Math.Exp(entropy);
    }
}
