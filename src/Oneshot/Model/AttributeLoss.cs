using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>
/// AR-VAE's attribute regularisation (Pati &amp; Lerch 2020): for attribute a owning latent dimension
/// a, over every pair (i, j) of the batch, |tanh(δ·(z_ia − z_ja)) − sign(x_ia − x_ja)|, averaged over
/// the pairs where both clips have the attribute and summed over attributes. Zero when the dimension
/// orders the batch exactly as the attribute does (with margins δ makes large); its gradient pulls
/// a pair in the wrong order apart the other way.
/// </summary>
public static class AttributeLoss
{
    /// <param name="z">[B, N]; attribute a is compared with dimension a.</param>
    /// <param name="attributes">[B, A], NaN where a clip has no value.</param>
    /// <returns>A scalar: the sum over the A attributes of the mean over valid pairs.</returns>
    public static Tensor Compute(Tensor z, Tensor attributes, double delta)
    {
        long batch = z.shape[0], count = attributes.shape[1];
        var known = attributes.isfinite();                                                   // [B, A]
        var filled = attributes.nan_to_num(0);
        var latent = z.narrow(1, 0, count);                                                  // [B, A]
        var latentDifferences = latent.unsqueeze(1) - latent.unsqueeze(0);                   // [B, B, A]
        var attributeOrder = (filled.unsqueeze(1) - filled.unsqueeze(0)).sign();
        var offDiagonal = eye(batch, dtype: ScalarType.Bool, device: z.device).logical_not().unsqueeze(-1);
        var valid = known.unsqueeze(1).logical_and(known.unsqueeze(0)).logical_and(offDiagonal).to_type(z.dtype);
        var terms = latentDifferences.Times(delta).tanh().Plus(attributeOrder.neg()).abs();
        var perAttribute = terms.mul(valid).sum([0L, 1L]).div(valid.sum([0L, 1L]).ClampMin(1));
        return perAttribute.sum();
    }
}
