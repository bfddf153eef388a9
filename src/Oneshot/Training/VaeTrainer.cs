using Oneshot.Model;

namespace Oneshot.Training;

/// <summary>
/// `oneshot train`: a <see cref="WaveformVae"/> from a dataset directory into a model directory —
/// stage 1 (<see cref="Stage1Step"/>), then stage 2 from <see cref="Stage2Config.StartStep"/>
/// (<see cref="Stage2Step"/>) — with background batches, logging to metrics.csv and TensorBoard,
/// validation with WAV examples, atomic checkpoints that resume exactly, and latent.json at the end.
/// The loop reads top to bottom here; what a run holds between steps is <see cref="VaeRun"/>.
/// </summary>
public sealed class VaeTrainer
{
    const int LogEvery = 25;

    public Action<TrainProgress>? OnStep { get; init; }
    public Action<ValidationResult>? OnValidation { get; init; }
    public Action<string>? OnMessage { get; init; }

    public TrainResult Run(TrainRequest request, CancellationToken cancellation = default)
    {
        using var run = VaeRun.Open(request, OnMessage);
        if (request.Resume) run.Resume();
        run.StartSession();
        var outcome = TrainOutcome.Finished;
        while (run.Current < run.Config.Train.Steps)
        {
            if (StopReason(request, run, cancellation) is { } stop) { outcome = stop; break; }
            run.Step();
            if (run.Current % LogEvery == 0 || run.Current == run.Config.Train.Steps) run.LogTraining();
            OnStep?.Invoke(run.Progress());
            if (run.Current % run.Config.Train.ValidateEvery == 0 && run.CanValidate
                && run.Validate() is { } validation)
                OnValidation?.Invoke(validation);
            if (run.Current % run.Config.Train.CheckpointEvery == 0) run.SaveCheckpoint();
        }
        return run.Finish(outcome);
    }

    static TrainOutcome? StopReason(TrainRequest request, VaeRun run, CancellationToken cancellation) =>
        cancellation.IsCancellationRequested ? TrainOutcome.Interrupted
        : request.MaxMinutes is double minutes && run.SessionMinutes >= minutes ? TrainOutcome.TimeLimit
        : request.MaxSessionSteps is long limit && run.SessionSteps >= limit ? TrainOutcome.StepLimit
        : null;
}
