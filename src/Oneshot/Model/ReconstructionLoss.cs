using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>Stage-1 reconstruction loss: multi-scale spectral distance on the full band plus on the PQMF
/// bands.</summary>
public sealed class ReconstructionLoss : IDisposable
{
    readonly SpectralLoss _full;
    readonly SpectralLoss? _bands;

    public ReconstructionLoss(ModelConfig config)
    {
        _full = new SpectralLoss(config.StftSizes, config.SpectralFloorDb);
        if (config.Bands > 1) _bands = new SpectralLoss(config.BandStftSizes, config.SpectralFloorDb);
    }

    public SpectralLoss Full => _full;

    /// <returns>Full-band and band losses per item ([B] each; bands are zeros with one band).</returns>
    public (Tensor Full, Tensor Bands) PerItem(Tensor clips, VaeOutput output) =>
        PerItem(clips, output.TargetBands, output.Reconstruction, output.ReconstructionBands);

    public (Tensor Full, Tensor Bands) PerItem(Tensor clips, Tensor targetBands, Tensor reconstruction,
        Tensor reconstructionBands)
    {
        var full = _full.PerItem(clips, reconstruction);
        var bands = _bands is null ? zeros_like(full) : _bands.PerItem(targetBands, reconstructionBands);
        return (full, bands);
    }

    public void Dispose()
    {
        _full.Dispose();
        _bands?.Dispose();
    }
}
