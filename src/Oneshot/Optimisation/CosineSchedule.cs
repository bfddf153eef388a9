namespace Oneshot.Optimisation;

/// <summary>Half a cosine from a start value down to an end value: the learning-rate anneal of the VAE, the prior and
/// the latent refiner.</summary>
public static class CosineSchedule
{
    /// <param name="progress">0 at the start, 1 at the end; clamped to that range.</param>
    public static double At(double progress, double start, double end) =>
        end + 0.5 * (start - end) * (1 + Math.Cos(Math.PI * Math.Clamp(progress, 0, 1)));
}
