using System.Diagnostics;
using Oneshot.Model;
using Oneshot.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Benchmarks;

public sealed record ThroughputResult(string Preset, int BatchSize, int ClipLength, int Steps, double ClipsPerSecond,
                                      double DataMs, double ForwardMs, double BackwardMs, double OptimizerMs,
                                          long Parameters);

public sealed record MemoryResult(string Preset, long FirstSteps, double FirstResidentMb, long FirstLiveTensors,
    long TotalSteps, double LastResidentMb, long LastLiveTensors);

/// <summary>
/// `oneshot bench --preset P`: training throughput and memory, for docs/benchmarks.md. Like every
/// benchmark here it prints numbers and asserts no speed (shared machines are noisy).
/// </summary>
public static class TrainingBenchmark
{
    /// <summary>Clips that look like one-shots (a decaying tone plus a noise burst), so the spectra are
    /// realistic.</summary>
    public static Batch SyntheticBatch(long index, int size, int length, int sampleRate)
    {
        var random = new Random(Seeds.MixInt(index, 0xBE7C));
        var samples = new float[size * length];
        for (int i = 0; i < size; i++)
        {
            double frequency = 40 + random.NextDouble() * 400, decay = 3 + random.NextDouble() * 20,
                noise = random.NextDouble();
            for (int t = 0; t < length; t++)
            {
                double time = (double)t / sampleRate, envelope = Math.Exp(-decay * time);
                samples[i * length + t] =
                    (float)(0.5 * envelope * ((1 - noise) * Math.Sin(2 * Math.PI * frequency * time)
                    + noise * (random.NextDouble() * 2 - 1)));
            }
        }
        return new Batch(index, samples, size, length);
    }

    /// <summary>Training steps per second and where a step's time goes (after <paramref name="warmup"/> untimed
    /// steps).</summary>
    public static ThroughputResult Throughput(RunConfig config, int steps, int warmup, Func<long, Batch> batches,
        Device? device = null)
    {
        random.manual_seed(config.Train.Seed);
        using var model = new WaveformVae(config.Model);
        model.to(device ?? CPU);
        using var step = new Stage1Step(model, config.Train, device ?? CPU);
        double data = 0, forward = 0, backward = 0, optimizer = 0;
        var clock = new Stopwatch();
        for (int i = 0; i < warmup + steps; i++)
        {
            if (i == warmup) clock.Restart();
            var dataClock = Stopwatch.StartNew();
            var batch = batches(i);
            double dataSeconds = dataClock.Elapsed.TotalSeconds;
            var result = step.Run(batch, i);
            if (i < warmup) continue;
            data += dataSeconds;
            forward += result.ForwardSeconds;
            backward += result.BackwardSeconds;
            optimizer += result.OptimizerSeconds;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        return new ThroughputResult(config.Preset, config.Train.BatchSize, config.Model.ClipLength, steps,
            steps * config.Train.BatchSize / seconds,
            1000 * data / steps, 1000 * forward / steps, 1000 * backward / steps, 1000 * optimizer / steps,
            model.parameters().Sum(p => p.numel()));
    }

    /// <summary>Resident memory and live tensors after <paramref name="firstSteps"/> and after
    /// <paramref name="totalSteps"/> training steps.</summary>
    public static MemoryResult Memory(RunConfig config, long firstSteps, long totalSteps, Func<long, Batch> batches,
        Action<long>? progress = null)
    {
        random.manual_seed(config.Train.Seed);
        using var model = new WaveformVae(config.Model);
        using var step = new Stage1Step(model, config.Train, CPU);
        double firstMb = 0;
        long firstTensors = 0;
        for (long i = 0; i < totalSteps; i++)
        {
            step.Run(batches(i), i);
            progress?.Invoke(i + 1);
            if (i + 1 == firstSteps) (firstMb, firstTensors) = (ResidentMb(), LiveTensorsOnThisThread);
        }
        return new MemoryResult(config.Preset, firstSteps, firstMb, firstTensors, totalSteps, ResidentMb(),
            LiveTensorsOnThisThread);
    }

    /// <summary>Tensors created on this thread and not yet disposed (other threads' work does not count).</summary>
    static long LiveTensorsOnThisThread => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    static double ResidentMb()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64 / 1048576.0;
    }
}
