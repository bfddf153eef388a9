using System.Text.Json;

namespace Oneshot.Evaluation.Report;

/// <summary>
/// `oneshot chart`: a measure of held-out quality against training hours, one line per model,
/// from the metrics.json of evaluations made as the models trained (each evaluation a point at
/// the hours its model had trained then).
/// </summary>
public static class ProgressChart
{
    public static readonly IReadOnlyDictionary<string, (string Label, Func<JsonElement, double?> Read)> Measures =
        new Dictionary<string, (string, Func<JsonElement, double?>)>
        {
            ["test"] = ("held-out clips identified, top-1 (%)",
                m => Percent(m, "reconstruction", "identification", "top1")),
            ["seen"] = ("seen training clips identified, top-1 (%)",
                m => Percent(m, "seen_reconstruction", "identification", "top1")),
            ["partials"] = ("held-out partials kept (%)", m => Percent(m, "reconstruction", "partials", "share")),
        };

    public sealed record Point(string Model, double Hours, double Value, string Source);

    /// <param name="reports">metrics.json files, or the report folders that hold them.</param>
    public static (string Svg, IReadOnlyList<Point> Points) Draw(IEnumerable<string> reports, string measure)
    {
        if (!Measures.TryGetValue(measure, out var chosen))
            throw new OneshotException($"--measure {measure}: choose one of {string.Join(", ", Measures.Keys)}.");
        var points = new List<Point>();
        foreach (string report in reports)
        {
            string path = Directory.Exists(report) ? Path.Combine(report, "metrics.json") : report;
            if (!File.Exists(path))
                throw new OneshotException($"'{report}' is not an evaluation (no metrics.json); make one with " +
                    $"`oneshot eval`.");
            JsonElement root;
            try { root = JsonDocument.Parse(File.ReadAllText(path)).RootElement; }
            catch (JsonException e) { throw new OneshotException($"'{path}' is not JSON: {e.Message}"); }
            if (!root.TryGetProperty("models", out var models))
                throw new OneshotException($"'{path}' holds no models; is it from `oneshot eval`?");
            foreach (var model in models.EnumerateArray())
            {
                string name = model.GetProperty("name").GetString() ?? "?";
                if (!model.TryGetProperty("training", out var training) || training.ValueKind != JsonValueKind.Object)
                    throw new OneshotException($"'{path}': model '{name}' has no training time (evaluated by an " +
                        $"older Oneshot, or with no checkpoint in its train/); evaluate it again.");
                if (chosen.Read(model) is double value)
                    points.Add(new Point(name, training.GetProperty("hours").GetDouble(), value, path));
            }
        }
        if (points.Count == 0) throw new OneshotException("No evaluation had that measure.");
        var series = points.GroupBy(p => p.Model).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new SvgChart.Series(g.Key, [.. g.OrderBy(p => p.Hours).Select(p => (p.Hours, p.Value))]))
                .ToList();
        return (SvgChart.Lines(series, "training hours", chosen.Label, markers: true), points);
    }

    static double? Percent(JsonElement model, string part, string group, string value) =>
        model.TryGetProperty(part, out var p) && p.TryGetProperty(group, out var g)
            && g.TryGetProperty(value, out var v) && v.ValueKind == JsonValueKind.Number
            ? 100 * v.GetDouble() : null;
}
