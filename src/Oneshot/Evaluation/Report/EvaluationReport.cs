using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Oneshot.Model;

namespace Oneshot.Evaluation.Report;

/// <summary>Writes an <see cref="EvaluationResult"/> as metrics.json and a self-contained report.html.</summary>
public static class EvaluationReport
{
    public const string JsonFile = "metrics.json";
    public const string HtmlFile = "report.html";

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write(string outDirectory, EvaluationResult result)
    {
        AtomicFile.WriteAllText(Path.Combine(outDirectory, JsonFile), JsonSerializer.Serialize(result, Json));
        AtomicFile.WriteAllText(Path.Combine(outDirectory, HtmlFile), Html(result));
    }

    public static EvaluationResult Read(string path) =>
        JsonSerializer.Deserialize<EvaluationResult>(File.ReadAllText(path), Json) ?? throw new OneshotException($"'{path}' is empty.");

    static string Html(EvaluationResult r)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Oneshot evaluation</title><style>")
         .Append("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}")
         .Append("table{border-collapse:collapse;margin:1em 0;font-size:14px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
         .Append("th{background:#f4f4f4}td:first-child,th:first-child,td.l{text-align:left}")
         .Append(".note{background:#fff6d8;padding:.6em 1em;border-left:4px solid #e0b000}figure{display:inline-block;margin:0 1em 1em 0}")
         .Append("audio{width:220px;display:block}.grid{display:flex;flex-wrap:wrap;gap:.5em 1.5em}small{color:#666}</style></head><body>");
        h.Append("<h1>Oneshot evaluation</h1>");
        h.Append($"<p>{E(r.Created.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))} · dataset <code>{E(r.Dataset)}</code> (hash {E(r.DatasetHash)}) · ")
         .Append($"{r.TestClips} test clips, {r.TrainClips} train clips · {r.SamplesPerPrior} generated clips per model and prior, seed {r.Seed}, temperature {N(r.Temperature)}{(r.RefineSteps > 0 ? $" · reconstructions from latents refined by {r.RefineSteps} gradient steps" : "")}.</p>");
        h.Append($"<p>Embedder: <b>{E(r.Embedder)}</b>. ");
        if (r.Embedder.StartsWith("logmel", StringComparison.Ordinal))
            h.Append("</p><p class=\"note\">These distances use the built-in log-mel statistics embedder, not CLAP: they rank models against each other on this dataset, but are not comparable with published FAD or KID values. Pass <code>--clap MODEL.onnx</code> for CLAP embeddings.</p>");
        else h.Append("Embeddings are L2-normalised.</p>");

        h.Append("<h2>Generation</h2><p>Each model's samples from each prior against the <b>test</b> clips. The first row compares the real train clips with the test clips: the best a model can hope for with these sample counts. FAD, FAD∞, KID and NDB: lower is better; precision (fidelity), recall and coverage (diversity): higher is better; density ≈ 1 and a Vendi score near the real clips' mean the spread matches.</p>");
        var rows = new List<(string Name, string Posterior, string Prior, DistributionComparison C)> { ("real train clips", "—", "—", r.RealTrainVersusTest) };
        foreach (var m in r.Models)
            foreach (var g in m.Generation)
                rows.Add((m.Name, m.PosteriorFlow ? "flow" : "Gaussian", g.Prior == "standard" ? "N(0, I)" : $"trained ({g.PriorKind})", g.VersusTest));
        DistributionTable(h, rows);
        h.Append("<h3>Against the train clips</h3>");
        var trainRows = new List<(string, string, string, DistributionComparison)>();
        foreach (var m in r.Models)
            foreach (var g in m.Generation)
                trainRows.Add((m.Name, m.PosteriorFlow ? "flow" : "Gaussian", g.Prior == "standard" ? "N(0, I)" : $"trained ({g.PriorKind})", g.VersusTrain));
        DistributionTable(h, trainRows);

        var names = rows.Skip(1).Select(x => $"{x.Name} · {x.Prior}").ToList();
        h.Append("<div class=\"grid\"><figure>")
         .Append(SvgChart.Bars(names, rows.Skip(1).Select(x => x.C.Kid.Mean).ToList(), rows.Skip(1).Select(x => x.C.Kid.Std).ToList(), "KID vs test (± std)"))
         .Append("<figcaption>KID, mean ± standard deviation over subsets</figcaption></figure><figure>")
         .Append(SvgChart.Bars(names, rows.Skip(1).Select(x => x.C.Fad).ToList(), null, "FAD vs test"))
         .Append($"<figcaption>FAD (the real train clips score {N(r.RealTrainVersusTest.Fad)})</figcaption></figure></div>");

        h.Append("<h2>Reconstruction</h2><p>Clips encoded to one latent vector each and decoded: the test clips, which the model never heard, and as many train clips, which it learnt from (the gap between the two is how much of the quality is memory). Identification: how often a reconstruction's nearest clip of its set is its own source, comparing whole log-mel spectrograms relative to each clip's peak and floored 40 dB down, so level and faint hiss do not count (chance: ")
         .Append(N(1.0 / Math.Max(1, r.TestClips))).Append(").");
        if (r.IdentificationYardsticks is { Count: > 0 } yardsticks)
            h.Append(" For scale, the test clips themselves, degraded and identified the same way: ")
             .Append(string.Join(", ", yardsticks.Select(y => $"{E(y.Degradation)} {P(y.Identification.Top1)} (median rank {N(y.Identification.MedianRank)}{(y.Identification.SameClass is { } same ? $", same class {P(same)}" : "")})"))).Append('.');
        h.Append("</p>");
        h.Append("<table><tr><th>model</th><th>posterior</th><th>clips</th><th>spectral distance ↓</th><th>log-mel L1 ↓</th><th>SI-SDR dB ↑</th><th>attack error ms ↓</th><th>decay error ms ↓</th><th>identified top-1 ↑</th><th>top-5 ↑</th><th>median rank ↓</th><th>nearest of the same class ↑</th><th>nearest of the same instrument ↑</th><th>FAD vs originals ↓</th></tr>");
        foreach (var m in r.Models)
            foreach (var (c, clips) in new[] { (m.Reconstruction, "test (held out)"), (m.SeenReconstruction, "train (seen)") })
                h.Append($"<tr><td>{E(m.Name)}</td><td class=\"l\">{(m.PosteriorFlow ? "flow" : "Gaussian")}</td><td class=\"l\">{clips}</td><td>{N(c.Spectral)}</td><td>{N(c.LogMelL1)}</td><td>{N(c.SiSdrDb)}</td><td>{N(c.AttackErrorMs)}</td><td>{N(c.DecayErrorMs)}</td>")
                 .Append($"<td>{P(c.Identification.Top1)}</td><td>{P(c.Identification.Top5)}</td><td>{N(c.Identification.MedianRank)}</td><td>{(c.Identification.SameClass is { } same ? $"{P(same)} (chance {P(c.Identification.SameClassChance ?? 0)})" : "—")}</td><td>{Share(c.Identification.SameInstrument)}</td><td>{N(c.VersusTest.Fad)}</td></tr>");
        h.Append("</table>");
        GroupIdentificationTable(h, r);

        h.Append("<h2>Latent space</h2><table><tr><th>model</th><th>description</th><th>active units</th><th>KL per dimension (nats)</th><th>test NLL / dim, N(0, I)</th><th>test NLL / dim, trained prior</th></tr>");
        foreach (var m in r.Models)
        {
            var l = m.Latent;
            h.Append($"<tr><td>{E(m.Name)}</td><td class=\"l\">{E(m.Description)}</td><td>{l.ActiveUnits}</td><td>{N(l.KlPerDimension)}</td>")
             .Append($"<td>{N(l.PriorNllPerDimension.GetValueOrDefault("standard", double.NaN))}</td><td>{(l.PriorNllPerDimension.TryGetValue("trained", out var t) ? N(t) : "—")}</td></tr>");
        }
        h.Append("</table><div class=\"grid\">");
        foreach (var m in r.Models)
        {
            if (m.Projection is { } p)
                h.Append("<figure>").Append(SvgChart.Scatter(p.Points, p.Labels, $"PC 1 ({P(p.ExplainedVarianceRatio[0])})", $"PC 2 ({P(p.ExplainedVarianceRatio[1])})"))
                 .Append($"<figcaption>{E(m.Name)}: test latents on the training posterior's first two principal directions</figcaption></figure>");
            var curves = TrainingCurves(m.Directory);
            if (curves.Count > 0)
                h.Append("<figure>").Append(SvgChart.Lines(curves, "step", "spectral distance", logY: true))
                 .Append($"<figcaption>{E(m.Name)}: training (train/metrics.csv)</figcaption></figure>");
        }
        h.Append("</div>");

        h.Append("<h2>Listen</h2><h3>Test clips and their reconstructions</h3><div class=\"grid\">");
        for (int i = 0; i < r.RealExamples.Length; i++)
        {
            h.Append($"<figure><figcaption>real {i + 1}</figcaption>{Audio(r.RealExamples[i])}");
            foreach (var m in r.Models)
                if (i < m.Reconstruction.Examples.Length) h.Append($"<figcaption>{E(m.Name)}</figcaption>{Audio(m.Reconstruction.Examples[i])}");
            h.Append("</figure>");
        }
        h.Append("</div><h3>Generated</h3>");
        foreach (var m in r.Models)
            foreach (var g in m.Generation)
            {
                h.Append($"<p>{E(m.Name)} · {(g.Prior == "standard" ? "N(0, I) prior" : $"trained prior ({E(g.PriorKind)})")} <small>({N(g.MillisecondsPerClip)} ms per clip to sample and decode)</small></p><div class=\"grid\">");
                foreach (var path in g.Examples) h.Append(Audio(path));
                h.Append("</div>");
            }
        h.Append($"<p><small>Every number is in <a href=\"{JsonFile}\">{JsonFile}</a>. KID: {r.Options.KidSubsets} subsets; FAD∞: {r.Options.FadInfinitySteps} subset sizes; NDB: α = 0.05; precision/recall k = 3, density/coverage k = 5.</small></p>");
        h.Append("</body></html>");
        return h.ToString();
    }

    /// <summary>Test identification per group (kit), beside the yardsticks per group: which held-out kit is the hard one, and is it hard for degraded copies too.</summary>
    static void GroupIdentificationTable(StringBuilder h, EvaluationResult r)
    {
        var groups = r.Models.FirstOrDefault()?.Reconstruction.Identification.ByGroup;
        if (groups is null) return;
        var yardsticks = r.IdentificationYardsticks ?? [];
        h.Append("<p>Identified top-1 per group of the test split (each clip still ranked among all test clips), and in brackets how often the nearest test clip is the same instrument of that kit (another velocity layer of the same drum counts):</p><table><tr><th>group</th><th>clips</th>");
        foreach (var y in yardsticks) h.Append($"<th>{E(y.Degradation)}</th>");
        foreach (var m in r.Models) h.Append($"<th>{E(m.Name)}</th>");
        h.Append("</tr>");
        foreach (var (group, g) in groups)
        {
            h.Append($"<tr><td class=\"l\">{E(group)}</td><td>{g.Count}</td>");
            foreach (var y in yardsticks) h.Append($"<td>{GroupCell(y.Identification.ByGroup?.GetValueOrDefault(group))}</td>");
            foreach (var m in r.Models) h.Append($"<td>{GroupCell(m.Reconstruction.Identification.ByGroup?.GetValueOrDefault(group))}</td>");
            h.Append("</tr>");
        }
        h.Append("</table>");
    }

    static string GroupCell(GroupIdentification? g) =>
        g is null ? "—" : P(g.Top1) + (g.SameInstrument is { } same ? $" ({P(same)})" : "");

    static string Share(double? value) => value is { } v ? P(v) : "—";

    static void DistributionTable(StringBuilder h, IReadOnlyList<(string Name, string Posterior, string Prior, DistributionComparison C)> rows)
    {
        h.Append("<table><tr><th>model</th><th>posterior</th><th>prior</th><th>FAD ↓</th><th>FAD∞ ↓</th><th>KID ↓</th><th>precision ↑</th><th>recall ↑</th><th>density</th><th>coverage ↑</th><th>Vendi</th><th>NDB/K ↓</th></tr>");
        foreach (var (name, posterior, prior, c) in rows)
            h.Append($"<tr><td>{E(name)}</td><td class=\"l\">{E(posterior)}</td><td class=\"l\">{E(prior)}</td><td>{N(c.Fad)}</td><td>{N(c.FadInfinity.Value)}</td>")
             .Append($"<td>{N(c.Kid.Mean)} ± {N(c.Kid.Std)}</td><td>{N(c.Manifold.Precision)}</td><td>{N(c.Manifold.Recall)}</td><td>{N(c.Manifold.Density)}</td>")
             .Append($"<td>{N(c.Manifold.Coverage)}</td><td>{N(c.CandidateVendi)}</td><td>{c.Ndb.Different}/{c.Ndb.Bins}</td></tr>");
        h.Append("</table>");
    }

    /// <summary>Train and validation spectral distance over steps from the model's train/metrics.csv.</summary>
    static List<SvgChart.Series> TrainingCurves(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, ModelDirectory.TrainFolder, "metrics.csv");
        if (!File.Exists(path)) return [];
        var lines = File.ReadAllLines(path);
        if (lines.Length < 2) return [];
        var header = lines[0].Split(',');
        int step = Array.IndexOf(header, "step"), kind = Array.IndexOf(header, "kind"), spectral = Array.IndexOf(header, "spectral");
        if (step < 0 || kind < 0 || spectral < 0) return [];
        var series = new Dictionary<string, List<(double, double)>>();
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            if (cells.Length <= Math.Max(step, spectral)) continue;
            if (!double.TryParse(cells[step], CultureInfo.InvariantCulture, out double x) || !double.TryParse(cells[spectral], CultureInfo.InvariantCulture, out double y)) continue;
            if (!series.TryGetValue(cells[kind], out var list)) series[cells[kind]] = list = [];
            list.Add((x, y));
        }
        return series.Select(s => new SvgChart.Series(s.Key, s.Value.OrderBy(p => p.Item1).ToList())).ToList();
    }

    static string Audio(string relativePath) => $"<audio controls preload=\"none\" src=\"{E(relativePath)}\"></audio>";
    static string E(string text) => WebUtility.HtmlEncode(text);
    static string N(double value) => double.IsFinite(value) ? value.ToString(Math.Abs(value) >= 100 ? "0.0" : "0.###", CultureInfo.InvariantCulture) : "—";
    static string P(double share) => share.ToString("0.#%", CultureInfo.InvariantCulture);
}
