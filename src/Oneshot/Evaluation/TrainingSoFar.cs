using System.Globalization;
using Oneshot.Storage;

namespace Oneshot.Evaluation;

/// <summary>How long the evaluated model had trained: the step, the wall-clock hours and the CPU-hours (null when not
/// counted) of its newest checkpoint.</summary>
public sealed record TrainingSoFar(long Steps, double Hours, double? CpuHours = null)
{
    /// <summary>Null when the model has no checkpoint (one made elsewhere, or copied without train/).</summary>
    public static TrainingSoFar? Of(string modelDirectory)
    {
        string folder = Path.Combine(modelDirectory, "train");
        if (!Directory.Exists(folder)) return null;
        // checkpoint-{step:D8}.safetensors: the newest sorts last; training writes one when it stops.
        string? newest = Directory.GetFiles(folder, "checkpoint-*.safetensors").Order(StringComparer.Ordinal)
            .LastOrDefault();
        if (newest is null) return null;
        var metadata = Safetensors.ReadMetadata(newest);
        return metadata.TryGetValue("step", out var step)
            && long.TryParse(step, NumberStyles.Integer, CultureInfo.InvariantCulture, out long steps)
            && metadata.TryGetValue("elapsed_s", out var elapsed)
                && double.TryParse(elapsed, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            ? new TrainingSoFar(steps, seconds / 3600,
                metadata.TryGetValue("cpu_s", out var cpu) && double.TryParse(cpu, NumberStyles.Float,
                    CultureInfo.InvariantCulture, out double cpuSeconds) ? cpuSeconds / 3600 : null)
            : null;
    }
}
