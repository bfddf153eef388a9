using System.Globalization;
using System.Text;

namespace Oneshot.Training;

/// <summary>
/// train/metrics.csv: one row per logged interval ("train") and per validation ("valid"). A resumed
/// run first drops the rows written after its checkpoint, so the file reads as one run.
/// </summary>
public sealed class MetricsLog
{
    public static readonly string[] Columns =
        ["step", "kind", "elapsed_s", "learning_rate", "beta", "loss", "spectral", "band_spectral", "kl", "grad_norm",
            "clips_per_s",
         "log_mel_l1", "si_sdr_db", "active_units", "adversarial", "feature_matching", "discriminator", "attribute",
             "total_correlation", "grid_ripple"];

    readonly string _path;

    public MetricsLog(string path, long resumeStep)
    {
        _path = path;
        if (!File.Exists(path) || resumeStep == 0)
        {
            AtomicFile.WriteAllText(path, string.Join(",", Columns) + "\n");
            return;
        }
        // Columns only ever join at the end, so a run logged before one existed reads on under today's header.
        var kept = new[] { string.Join(",", Columns) }.Concat(File.ReadLines(path).Skip(1).Where(line =>
            long.TryParse(line.Split(',')[0], CultureInfo.InvariantCulture, out long step) && step <= resumeStep));
        AtomicFile.WriteAllText(path, string.Join("\n", kept) + "\n");
    }

    public void Append(IReadOnlyDictionary<string, double> values, long step, string kind)
    {
        var line = new StringBuilder();
        foreach (string column in Columns)
        {
            if (line.Length > 0) line.Append(',');
            if (column == "step") line.Append(step.ToString(CultureInfo.InvariantCulture));
            else if (column == "kind") line.Append(kind);
            else if (values.TryGetValue(column, out double v))
                line.Append(v.ToString("G6", CultureInfo.InvariantCulture));
        }
        File.AppendAllText(_path, line.Append('\n').ToString());
    }
}
