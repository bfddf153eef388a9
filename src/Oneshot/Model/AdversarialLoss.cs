using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Model;

public enum AdversarialLossKind { Hinge, LeastSquares }

/// <summary>
/// GAN objectives summed over discriminators: hinge (RAVE) or least squares (DAC), and RAVE's
/// relative feature matching, mean |f(x) − f(x̂)| / mean |f(x)| per feature map.
/// </summary>
public static class AdversarialLoss
{
    /// <summary>The discriminators' loss: real clips should score high, generated ones low.</summary>
    public static Tensor Discriminator(AdversarialLossKind kind, IReadOnlyList<Judgement> real,
        IReadOnlyList<Judgement> fake)
    {
        Tensor? total = null;
        for (int i = 0; i < real.Count; i++)
        {
            var term = kind == AdversarialLossKind.Hinge
                ? real[i].Score.SubtractedFrom(1).relu().mean().Plus(fake[i].Score.Plus(1).relu().mean())
                : real[i].Score.Minus(1).Squared().mean().Plus(fake[i].Score.Squared().mean());
            total = total is null ? term : total.Plus(term);
        }
        return total!;
    }

    /// <summary>The generator's adversarial loss on its own clips.</summary>
    public static Tensor Generator(AdversarialLossKind kind, IReadOnlyList<Judgement> fake)
    {
        Tensor? total = null;
        foreach (var judgement in fake)
        {
            var term = kind == AdversarialLossKind.Hinge ? judgement.Score.mean().neg()
                : judgement.Score.Minus(1).Squared().mean();
            total = total is null ? term : total.Plus(term);
        }
        return total!;
    }

    /// <summary>Relative L1 between the feature maps of real and generated clips, averaged over maps, summed over
    /// discriminators.</summary>
    public static Tensor FeatureMatching(IReadOnlyList<Judgement> real, IReadOnlyList<Judgement> fake)
    {
        Tensor? total = null;
        for (int i = 0; i < real.Count; i++)
        {
            Tensor? sum = null;
            int maps = real[i].Features.Count;
            for (int j = 0; j < maps; j++)
            {
                var target = real[i].Features[j].detach();
                var term = (target - fake[i].Features[j]).abs().mean() / target.abs().mean().Plus(1e-7);
                sum = sum is null ? term : sum.Plus(term);
            }
            var average = sum!.DividedBy(maps);
            total = total is null ? average : total.Plus(average);
        }
        return total!;
    }
}
