using Oneshot.Model;
using Oneshot.Optimisation;

namespace Oneshot.Training;

/// <summary>Learning rate and KL weight as functions of the step, so a resumed run needs only the step.</summary>
public static class Schedules
{
    /// <summary>Linear warm-up, then a cosine from the learning rate down to the minimum at the last step.</summary>
    public static double LearningRate(TrainConfig config, long step)
    {
        if (step < config.WarmupSteps) return config.LearningRate * (step + 1) / config.WarmupSteps;
        double progress =
            Math.Clamp((double)(step - config.WarmupSteps) / Math.Max(1, config.Steps - config.WarmupSteps), 0, 1);
        return CosineSchedule.At(progress, config.LearningRate, config.LearningRateMin);
    }

    /// <summary>β rises geometrically (linearly in log space) from the start value to its final value.</summary>
    public static double Beta(TrainConfig config, long step)
    {
        if (config.Beta == 0) return 0;
        if (config.BetaWarmupSteps == 0 || step >= config.BetaWarmupSteps || config.BetaStart >= config.Beta)
            return config.Beta;
        double t = (double)step / config.BetaWarmupSteps;
        return Math.Exp(Math.Log(config.BetaStart) + t * (Math.Log(config.Beta) - Math.Log(config.BetaStart)));
    }
}
