namespace Oneshot.Training;

/// <summary>Where a run stands after a step, for the progress bar.</summary>
public sealed record TrainProgress(long Step, long TotalSteps, double ClipsPerSecond, double Loss, double Spectral,
    double Kl, double Beta, double LearningRate, TimeSpan Elapsed);

public enum TrainOutcome { Finished, TimeLimit, StepLimit, Interrupted }

/// <summary>ScheduledSteps: train.steps, the step the learning rate anneals towards; LearningRate: its value at the
/// last step.</summary>
public sealed record TrainResult(TrainOutcome Outcome, long Step, ValidationResult? LastValidation,
    string ModelDirectory, long SkippedSteps,
                                 long ScheduledSteps, double LearningRate);
