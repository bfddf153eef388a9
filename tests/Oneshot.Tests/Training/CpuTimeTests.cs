using Oneshot.Evaluation;
using Oneshot.Training;

namespace Oneshot.Tests.Training;

public class CpuTimeTests
{
    [Fact]
    public void Checkpoints_count_the_processor_time_of_every_session_and_eval_reports_it()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir, count: 12);
        string model = TinyData.TrainModel(dir, data, steps: 2);
        var first = TrainingSoFar.Of(model)!;
        Assert.True(first.CpuHours > 0, "a run's checkpoint should say what processor time it cost");

        new VaeTrainer().Run(new TrainRequest
        {
            DataDirectory = data,
            ModelDirectory = model,
            Config = TinyData.Config(),
            Resume = true,
            ResumeOverrides = ["train.steps=4"],
        });
        var resumed = TrainingSoFar.Of(model)!;
        Assert.Equal(4, resumed.Steps);
        Assert.True(resumed.CpuHours > first.CpuHours, $"the second session's time should add to the first's " +
            $"({first.CpuHours} → {resumed.CpuHours} h)");
    }
}
