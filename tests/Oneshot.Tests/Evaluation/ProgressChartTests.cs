using System.Xml.Linq;
using Oneshot.Evaluation.Report;
using Oneshot.Tests.Cli;

namespace Oneshot.Tests.Evaluation;

public class ProgressChartTests
{
    static string Report(TempDir dir, string name, params (string Model, double Hours, double? Top1)[] models)
    {
        string folder = dir.File(name);
        Directory.CreateDirectory(folder);
        object Model((string Model, double Hours, double? Top1) m) => m.Top1 is double top1
            ? new { name = m.Model, training = new { steps = 100, hours = m.Hours },
                reconstruction = new { identification = new { top1 }, partials = new { share = 0.3 } } }
            : new { name = m.Model, reconstruction = new { identification = new { top1 = 0.1 } } };
        File.WriteAllText(Path.Combine(folder, "metrics.json"),
            System.Text.Json.JsonSerializer.Serialize(new { models = models.Select(Model).ToArray() }));
        return folder;
    }

    [Fact]
    public void Evaluations_made_as_models_trained_become_a_line_per_model_against_hours()
    {
        using var dir = new TempDir();
        string[] reports = [Report(dir, "r1", ("old", 1, 0.05), ("new", 1, 0.10)),
            Report(dir, "r2", ("old", 2, 0.08), ("new", 2, 0.20))];
        var (svg, points) = ProgressChart.Draw(reports, "test");
        Assert.Equal(4, points.Count);
        Assert.Equal(20, points.Single(p => p.Model == "new" && p.Hours == 2).Value, 9);
        var chart = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(2, chart.Descendants(ns + "polyline").Count());
        // a dot per evaluation, so a run evaluated once still shows
        Assert.Equal(4, chart.Descendants(ns + "circle").Count());
        Assert.Contains("training hours", svg);

        var (code, output, error) =
            CliTests.Oneshot(["chart", .. reports, "--out", dir.File("chart.svg"), "--measure", "partials"]);
        Assert.True(code == 0, error + output);
        Assert.Contains("partials", File.ReadAllText(dir.File("chart.svg")));

        string old = Report(dir, "old-eval", ("before", 1, null));
        (code, _, error) = CliTests.Oneshot("chart", old, "--out", dir.File("x.svg"));
        Assert.Equal(1, code);
        Assert.Contains("no training time", error);
        (code, _, error) = CliTests.Oneshot("chart", reports[0], "--measure", "loudness");
        Assert.Equal(1, code);
        Assert.Contains("--measure loudness", error);
    }
}
