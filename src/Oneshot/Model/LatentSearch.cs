using Oneshot.Optimisation;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>
/// The search behind refining a latent: from a starting latent, Adam steps on the training's
/// reconstruction loss between the decoded clip and the given one, the weights held. Shared by
/// `encode`/`reconstruct` (Generation's LatentRefiner) and semi-amortised training
/// (train.refine_steps), so both look for the same latent.
/// </summary>
public static class LatentSearch
{
    // A cosine from a large step to a small one: on held-out drums 30 such steps reach the loss
    // that 50 steps at a constant 0.05 did, and 20 steps get most of the way (docs/benchmarks.md).
    public const double PeakLearningRate = 0.2, FinalLearningRate = 0.01;

    public static double LearningRate(int step, int steps) =>
        CosineSchedule.At((double)step / steps, PeakLearningRate, FinalLearningRate);

    /// <summary>
    /// Refines one batch of latents [B, N] for the clips [B, T] and returns them detached. The
    /// weights must not require gradients while it runs (<see cref="HoldWeights"/>): only the
    /// latents are searched, and no gradient is left on a weight.
    /// </summary>
    public static Tensor Refine(WaveformVae model, ReconstructionLoss loss, Tensor clips, Tensor targetBands,
        Tensor start, int steps)
    {
        using var z = new TorchSharp.Modules.Parameter(start.detach().clone());
        using var adam = new AdamOptimizer([("z", z)], 0.9, 0.999, 1e-8, prefix: "refine");
        for (int step = 0; step < steps; step++)
        {
            using var stepScope = NewDisposeScope();
            var bands = model.DecodeBands(z);
            var reconstruction = model.Synthesise(bands);
            var (full, bandLoss) = loss.PerItem(clips, targetBands, reconstruction, bands);
            // Summed, not averaged: each clip's latent then moves as it would alone.
            adam.Minimise(full.Plus(bandLoss).sum(), gradientClip: 0, LearningRate(step, steps));
        }
        return z.detach().clone();
    }

    /// <summary>Makes every weight of the model stop requiring gradients until disposed, then restores each as it
    /// was.</summary>
    public static IDisposable HoldWeights(WaveformVae model) => new HeldWeights(model);

    sealed class HeldWeights : IDisposable
    {
        readonly (TorchSharp.Modules.Parameter Parameter, bool RequiresGrad)[] _saved;

        public HeldWeights(WaveformVae model)
        {
            _saved = [.. model.parameters().Select(p => (p, p.requires_grad))];
            foreach (var (p, _) in _saved) p.requires_grad = false;
        }

        public void Dispose()
        {
            foreach (var (p, requiresGrad) in _saved) p.requires_grad = requiresGrad;
        }
    }
}
