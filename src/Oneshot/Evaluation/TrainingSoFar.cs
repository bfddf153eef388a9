using System.Globalization;

namespace Oneshot.Evaluation;

/// <summary>How long the evaluated model had trained: its last logged step and the training time to it (train/metrics.csv).</summary>
public sealed record TrainingSoFar(long Steps, double Hours)
{
    /// <summary>Null when the model has no training log (one made elsewhere, or copied without it).</summary>
    public static TrainingSoFar? Of(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, "train", "metrics.csv");
        if (!File.Exists(path)) return null;
        string[]? header = null, last = null;
        foreach (string line in File.ReadLines(path))
        {
            if (header is null) { header = line.Split(','); continue; }
            if (line.Length > 0) last = line.Split(',');
        }
        if (header is null || last is null) return null;
        int step = Array.IndexOf(header, "step"), elapsed = Array.IndexOf(header, "elapsed_s");
        if (step < 0 || elapsed < 0 || step >= last.Length || elapsed >= last.Length) return null;
        return long.TryParse(last[step], NumberStyles.Integer, CultureInfo.InvariantCulture, out long steps)
            && double.TryParse(last[elapsed], NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            ? new TrainingSoFar(steps, seconds / 3600) : null;
    }
}
