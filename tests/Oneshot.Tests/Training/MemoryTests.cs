using Oneshot.Benchmarks;

namespace Oneshot.Tests.Training;

/// <summary>
/// Resident size is a property of the whole process, so this class runs alone: with other test
/// classes training in parallel, their memory would be counted as ours.
/// </summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;

[Collection(nameof(RunsAlone))]
public class MemoryTests
{
    [Fact]
    public void Memory_stays_flat_over_many_steps()
    {
        var config = TinyData.Config("train.batch_size=2");
        var result = TrainingBenchmark.Memory(config, 50, 200, i => TrainingBenchmark.SyntheticBatch(i % 4, 2, 8192, 8000));
        Assert.Equal(result.FirstLiveTensors, result.LastLiveTensors);
        Assert.True(result.LastResidentMb - result.FirstResidentMb < 40, $"resident memory grew from {result.FirstResidentMb:0} to {result.LastResidentMb:0} MB");
    }
}
