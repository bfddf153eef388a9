using Oneshot.Prior;

namespace Oneshot.Training;

/// <summary>Where a prior fit stands after a validation, for the progress bar.</summary>
public sealed record PriorProgress(long Step, long TotalSteps, double Loss, double BestNllPerDim, long BestStep);

public sealed record PriorResult(PriorReport Report, bool Finished, bool StoppedEarly);
