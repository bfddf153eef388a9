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
        AtomicFile.RemoveStale(outDirectory);
        AtomicFile.WriteAllText(Path.Combine(outDirectory, JsonFile), JsonSerializer.Serialize(result, Json));
        AtomicFile.WriteAllText(Path.Combine(outDirectory, HtmlFile), Html(result));
    }

    public static EvaluationResult Read(string path) =>
        JsonSerializer.Deserialize<EvaluationResult>(File.ReadAllText(path), Json)
            ?? throw new OneshotException($"'{path}' is empty.");

    static string Html(EvaluationResult r)
    {
        var values = new Dictionary<string, string>
        {
            ["summary"] = $"{E(r.Created.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))} · dataset " +
                $"<code>{E(r.Dataset)}</code> (hash {E(r.DatasetHash)}) · " +
                $"{r.TestClips} test clips, {r.TrainClips} train clips · {r.SamplesPerPrior} generated clips per " +
                    $"model and prior, seed {r.Seed}, temperature {N(r.Temperature)}" +
                (r.RefineSteps > 0 ? $" · reconstructions from latents refined by {r.RefineSteps} gradient steps" : "")
                    + ".",
            ["embedder"] = r.Embedder.StartsWith("logmel", StringComparison.Ordinal)
                ? $"<p>Embedder: <b>{E(r.Embedder)}</b>.</p><p class=\"note\">These distances use the built-in " +
                    $"log-mel statistics embedder, not CLAP: they rank models against each other on this dataset, " +
                    $"but are not comparable with published FAD or KID values. Pass <code>--clap MODEL.onnx</code> " +
                    $"for CLAP embeddings.</p>"
                : $"<p>Embedder: <b>{E(r.Embedder)}</b>. Embeddings are L2-normalised.</p>",
            ["chance"] = N(1.0 / Math.Max(1, r.TestClips)),
            ["yardsticks"] = r.IdentificationYardsticks is { Count: > 0 } yardsticks
                ? " For scale, the test clips themselves, degraded and identified the same way: " +
                  string.Join(", ", yardsticks.Select(Yardstick)) + "."
                : "",
            ["real_fad"] = N(r.RealTrainVersusTest.Fad),
            ["json_file"] = JsonFile,
            ["options"] = $"KID: {r.Options.KidSubsets} subsets; FAD∞: {r.Options.FadInfinitySteps} subset sizes; " +
                $"NDB: α = 0.05; precision/recall k = 3, density/coverage k = 5.",
        };

        string PriorName(GenerationSummary g) => g.Prior == "standard" ? "N(0, I)" : $"trained ({g.PriorKind})";
        var rows = new List<(string Name, string Posterior, string Prior, DistributionComparison C)>
            { ("real train clips", "—", "—", r.RealTrainVersusTest) };
        var trainRows = new List<(string Name, string Posterior, string Prior, DistributionComparison C)>();
        foreach (var m in r.Models)
            foreach (var g in m.Generation)
            {
                rows.Add((m.Name, m.PosteriorFlow ? "flow" : "Gaussian", PriorName(g), g.VersusTest));
                trainRows.Add((m.Name, m.PosteriorFlow ? "flow" : "Gaussian", PriorName(g), g.VersusTrain));
            }
        values["generation_versus_test"] = DistributionTable(rows);
        values["generation_versus_train"] = DistributionTable(trainRows);
        var generated = rows.Skip(1).ToList();
        var names = generated.Select(x => $"{x.Name} · {x.Prior}").ToList();
        values["kid_chart"] = SvgChart.Bars(names, generated.Select(x => x.C.Kid.Mean).ToList(),
            generated.Select(x => x.C.Kid.Std).ToList(), "KID vs test (± std)");
        values["fad_chart"] = SvgChart.Bars(names, generated.Select(x => x.C.Fad).ToList(), null, "FAD vs test");

        var reconstruction = new StringBuilder();
        foreach (var m in r.Models)
            foreach (var (c, clips) in new[] { (m.Reconstruction, "test (held out)"),
                (m.SeenReconstruction, "train (seen)") })
                reconstruction.Append($"<tr><td>{E(m.Name)}</td><td class=\"l\">" +
                    $"{(m.PosteriorFlow ? "flow" : "Gaussian")}</td><td class=\"l\">{clips}</td><td>" +
                    $"{N(c.Spectral)}</td><td>{N(c.LogMelL1)}</td><td>{N(c.SiSdrDb)}</td><td>" +
                    $"{N(c.AttackErrorMs)}</td><td>{N(c.DecayErrorMs)}</td>")
                 .Append($"<td>{P(c.Identification.Top1)}</td><td>{P(c.Identification.Top5)}</td><td>" +
                     $"{N(c.Identification.MedianRank)}</td><td>{SameClass(c.Identification)}</td><td>" +
                     $"{Share(c.Identification.SameInstrument)}</td><td>{Partials(c.Partials)}</td><td>" +
                     $"{Maybe(c.LsdDb)}</td><td>{Maybe(c.SnrDb)}</td><td>{Buzz(c.FrameGridRipple)}</td><td>" +
                     $"{N(c.VersusTest.Fad)}</td></tr>\n");
        values["reconstruction_rows"] = reconstruction.ToString();
        values["identification_by_group"] = GroupIdentificationTable(r);

        var latentRows = new StringBuilder();
        var figures = new StringBuilder();
        foreach (var m in r.Models)
        {
            var l = m.Latent;
            latentRows.Append($"<tr><td>{E(m.Name)}</td><td class=\"l\">{E(m.Description)}</td><td>" +
                $"{l.ActiveUnits}</td><td>{N(l.KlPerDimension)}</td>")
                .Append($"<td>{N(l.PriorNllPerDimension.GetValueOrDefault("standard", double.NaN))}</td><td>" +
                    $"{(l.PriorNllPerDimension.TryGetValue("trained", out var t) ? N(t) : "—")}</td></tr>\n");
            if (m.Projection is { } p)
                figures.Append("<figure>")
                    .Append(SvgChart.Scatter(p.Points, p.Labels, $"PC 1 ({P(p.ExplainedVarianceRatio[0])})",
                    $"PC 2 ({P(p.ExplainedVarianceRatio[1])})"))
                    .Append($"<figcaption>{E(m.Name)}: test latents on the training posterior's first two principal " +
                        $"directions</figcaption></figure>");
            var curves = TrainingCurves(m.Directory);
            if (curves.Count > 0)
                figures.Append("<figure>").Append(SvgChart.Lines(curves, "step", "spectral distance", logY: true))
                    .Append($"<figcaption>{E(m.Name)}: training (train/metrics.csv)</figcaption></figure>");
        }
        values["latent_rows"] = latentRows.ToString();
        values["latent_figures"] = figures.ToString();
        values["controls"] = ControlsSection(r);
        values["disentanglement"] = DisentanglementSection(r);

        var listen = new StringBuilder();
        for (int i = 0; i < r.RealExamples.Length; i++)
        {
            listen.Append($"<figure><figcaption>real {i + 1}</figcaption>{Audio(r.RealExamples[i])}");
            foreach (var m in r.Models)
                if (i < m.Reconstruction.Examples.Length)
                    listen.Append($"<figcaption>{E(m.Name)}</figcaption>{Audio(m.Reconstruction.Examples[i])}");
            listen.Append("</figure>");
        }
        values["listen_reconstructions"] = listen.ToString();
        var generatedAudio = new StringBuilder();
        foreach (var m in r.Models)
            foreach (var g in m.Generation)
            {
                generatedAudio.Append(
                    $"<p>{E(m.Name)} · " +
                    $"{(g.Prior == "standard" ? "N(0, I) prior" : $"trained prior ({E(g.PriorKind)})")} <small>(" +
                    $"{N(g.MillisecondsPerClip)} ms per clip to sample and decode)</small></p><div class=\"grid\">");
                foreach (var path in g.Examples) generatedAudio.Append(Audio(path));
                generatedAudio.Append("</div>\n");
            }
        values["listen_generated"] = generatedAudio.ToString();
        return PageTemplate.Fill(Template.Value, values, "report.html");
    }

    static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(EvaluationReport).Assembly.GetManifestResourceStream("report.html")
            ?? throw new InvalidOperationException("report.html is not embedded in the library (see Oneshot.csproj).");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>Test identification per group (kit), beside the yardsticks per group: which held-out kit is the hard
    /// one, and is it hard for degraded copies too.</summary>
    static string GroupIdentificationTable(EvaluationResult r)
    {
        var groups = r.Models.FirstOrDefault()?.Reconstruction.Identification.ByGroup;
        if (groups is null) return "";
        var h = new StringBuilder();
        var yardsticks = r.IdentificationYardsticks ?? [];
        h.Append("<p>Identified top-1 per group of the test split (each clip still ranked among all test clips), and " +
            "in brackets how often the nearest test clip is the same instrument of that kit (another velocity layer " +
            "of the same drum counts):</p><table><tr><th>group</th><th>clips</th>");
        foreach (var y in yardsticks) h.Append($"<th>{E(y.Degradation)}</th>");
        foreach (var m in r.Models) h.Append($"<th>{E(m.Name)}</th>");
        h.Append("</tr>");
        foreach (var (group, g) in groups)
        {
            h.Append($"<tr><td class=\"l\">{E(group)}</td><td>{g.Count}</td>");
            foreach (var y in yardsticks)
                h.Append($"<td>{GroupCell(y.Identification.ByGroup?.GetValueOrDefault(group))}</td>");
            foreach (var m in r.Models)
                h.Append($"<td>{GroupCell(m.Reconstruction.Identification.ByGroup?.GetValueOrDefault(group))}</td>");
            h.Append("</tr>");
        }
        return h.Append("</table>").ToString();
    }

    /// <summary>Per model, each named control moved across held-out clips: its job done (ρ), by how much, what else it
    /// moves, and a strip to see it.</summary>
    static string ControlsSection(EvaluationResult r)
    {
        var models = r.Models.Where(m => m.Controls is { Count: > 0 }).ToList();
        if (models.Count == 0)
            return "<p>No model here has named controls (latent.json without <code>controls</code>): <code>oneshot " +
                "controls MODEL</code> fits them.</p>";
        var h = new StringBuilder();
        h.Append($"<p>Each control is moved from −2 to +2 standard deviations of the training sounds (positions " +
            $"{string.Join(", ", ControlTraversals.Positions.Select(N))}) on held-out clips, as the instrument's " +
            $"sliders move, ")
         .Append("and the sounds made are measured. ρ: Spearman's correlation between position and the control's own " +
             "descriptor, averaged over clips (1: it does its job, steadily); ")
         .Append("change: the median change of that descriptor from −2 to +2; cross-talk: the largest |ρ| with " +
             "another descriptor (changes smaller than a just-noticeable difference count as none). ")
         .Append("R² valid: how well the direction predicted the descriptor of held-out clips' latents when it was " +
             "fitted.</p>");
        h.Append("<table><tr><th>model</th><th>control</th><th>source</th><th>spans</th><th>R² " +
            "valid</th><th>clips</th><th>ρ ↑</th><th>change</th><th>cross-talk ↓</th><th>with</th><th>first clip at " +
            "each position</th></tr>");
        foreach (var m in models)
            foreach (var c in m.Controls!)
            {
                string change = c.Change is double value ? $"{N(value)} {E(c.ChangeUnit)}" : "—";
                string strip = c.Strip is null ? "" : $"<img src=\"{E(c.Strip)}\" alt=\"" +
                    $"{E(c.Name)} from −2 to +2\" style=\"height:80px\">";
                h.Append($"<tr><td>{E(m.Name)}</td><td class=\"l\">{E(c.Name)}</td><td class=\"l\">{E(c.Source)}</td>" +
                    $"<td class=\"l\">{E(c.Span)}</td><td>{Maybe(c.RSquaredValid)}</td><td>{c.Clips}</td>")
                 .Append($"<td>{Maybe(c.Rho)}</td><td>{change}</td><td>{Maybe(c.CrossTalk)}</td><td class=\"l\">" +
                     $"{E(c.CrossTalkWith ?? "—")}</td><td class=\"l\">{strip}</td></tr>\n");
            }
        return h.Append("</table>").ToString();
    }

    /// <summary>MIG, SAP, modularity, interpretability and correlation of each model's test latents, against the
    /// descriptors and any known factors.</summary>
    static string DisentanglementSection(EvaluationResult r)
    {
        var rows =
            r.Models.SelectMany(m =>
            new[] { (m.Name, "descriptors", m.Disentanglement), (m.Name, "known factors", m.FactorDisentanglement) })
            .Where(x => x.Item3 is not null).ToList();
        if (rows.Count == 0) return "";
        var h = new StringBuilder();
        h.Append("<p>The test clips' latents against their qualities (scales binned into 20 equal-count bins): " +
            "<b>MIG</b>, the lead in mutual information of each quality's best dimension over the next, as a share " +
            "of its entropy; ")
         .Append("<b>SAP</b>, the same lead in R² of a straight line; <b>modularity</b>, how far each dimension " +
             "carries one quality only; <b>interpretability</b>, R² of a straight line from each quality's best " +
             "dimension; ")
         .Append("<b>correlation</b>, the largest |Spearman ρ| of each quality with one dimension. All higher is " +
             "better, 1 at most. Known factors are labels named <code>factor_*</code>, which the synthetic recipe " +
             "writes.</p>");
        h.Append("<table><tr><th>model</th><th>against</th><th>clips</th><th>MIG ↑</th><th>SAP ↑</th><th>modularity " +
            "↑</th><th>interpretability ↑</th><th>correlation ↑</th><th>best dimension of each</th></tr>");
        foreach (var (name, against, d) in rows)
            h.Append($"<tr><td>{E(name)}</td><td class=\"l\">{against}</td><td>{d!.Clips}</td><td>{N(d.Mig)}</td><td>" +
                $"{Maybe(d.Sap)}</td><td>{N(d.Modularity)}</td><td>{Maybe(d.Interpretability)}</td><td>" +
                $"{Maybe(d.Correlation)}</td>")
             .Append($"<td class=\"l\"><small>" +
                 $"{E(string.Join(", ", d.Factors.Select(f => $"{f.Name} z{f.BestDimension}")))}</small></td></tr>\n");
        return h.Append("</table>").ToString();
    }

    static string Maybe(double? value) => value is double v ? N(v) : "—";

    static string GroupCell(GroupIdentification? g) =>
        g is null ? "—" : P(g.Top1) + (g.SameInstrument is { } same ? $" ({P(same)})" : "");

    static string Share(double? value) => value is { } v ? P(v) : "—";

    static string SameClass(IdentificationResult identification) =>
        identification.SameClass is { } same ? $"{P(same)} (chance {P(identification.SameClassChance ?? 0)})" : "—";

    /// <summary>One degradation of the test clips, identified as the reconstructions are, for scale.</summary>
    static string Yardstick(IdentificationYardstick y)
    {
        string sameClass = y.Identification.SameClass is { } same ? $", same class {P(same)}" : "";
        string partials = y.Partials?.Share is { } kept ? $", partials kept {P(kept)}" : "";
        string lsd = y.LsdDb is { } db ? $", LSD {N(db)} dB, SNR {Maybe(y.SnrDb)} dB" : "";
        return $"{E(y.Degradation)} {P(y.Identification.Top1)} " +
            $"(median rank {N(y.Identification.MedianRank)}{sameClass}{partials}{lsd})";
    }

    static string Partials(PartialsResult? partials) =>
        partials?.Share is { } share ? $"{P(share)} <small>({partials.PitchedClips} pitched)</small>" : "—";

    static string Buzz(RippleResult? r) =>
        r is null ? "—" : $"{N(r.CandidatesDb)} ({N(r.OriginalsDb)}) <small>per clip {N(r.ClipCandidatesMedianDb)} " +
            $"({N(r.ClipOriginalsMedianDb)}), above the original on {P(r.ShareAbove)} of {r.Clips} clips</small>";

    static string DistributionTable(IReadOnlyList<(string Name, string Posterior, string Prior,
        DistributionComparison C)> rows)
    {
        var h = new StringBuilder();
        h.Append("<table><tr><th>model</th><th>posterior</th><th>prior</th><th>FAD ↓</th><th>FAD∞ ↓</th><th>KID " +
            "↓</th><th>precision ↑</th><th>recall ↑</th><th>density</th><th>coverage ↑</th><th>Vendi</th><th>NDB/K " +
            "↓</th></tr>");
        foreach (var (name, posterior, prior, c) in rows)
            h.Append($"<tr><td>{E(name)}</td><td class=\"l\">{E(posterior)}</td><td class=\"l\">{E(prior)}</td><td>" +
                $"{N(c.Fad)}</td><td>{N(c.FadInfinity.Value)}</td>")
             .Append($"<td>{N(c.Kid.Mean)} ± {N(c.Kid.Std)}</td><td>{N(c.Manifold.Precision)}</td><td>" +
                 $"{N(c.Manifold.Recall)}</td><td>{N(c.Manifold.Density)}</td>")
             .Append($"<td>{N(c.Manifold.Coverage)}</td><td>{N(c.CandidateVendi)}</td><td>{c.Ndb.Different}/" +
                 $"{c.Ndb.Bins}</td></tr>");
        return h.Append("</table>").ToString();
    }

    /// <summary>Train and validation spectral distance over steps from the model's train/metrics.csv.</summary>
    static List<SvgChart.Series> TrainingCurves(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, ModelDirectory.TrainFolder, "metrics.csv");
        if (!File.Exists(path)) return [];
        var lines = File.ReadAllLines(path);
        if (lines.Length < 2) return [];
        var header = lines[0].Split(',');
        int step = Array.IndexOf(header, "step"), kind = Array.IndexOf(header, "kind"),
            spectral = Array.IndexOf(header, "spectral");
        if (step < 0 || kind < 0 || spectral < 0) return [];
        var series = new Dictionary<string, List<(double, double)>>();
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            if (cells.Length <= Math.Max(step, spectral)) continue;
            if (!double.TryParse(cells[step], CultureInfo.InvariantCulture, out double x)
                || !double.TryParse(cells[spectral], CultureInfo.InvariantCulture, out double y))
                continue;
            if (!series.TryGetValue(cells[kind], out var list)) series[cells[kind]] = list = [];
            list.Add((x, y));
        }
        return series.Select(s => new SvgChart.Series(s.Key, s.Value.OrderBy(p => p.Item1).ToList())).ToList();
    }

    static string Audio(string relativePath) => $"<audio controls preload=\"none\" src=\"{E(relativePath)}\"></audio>";
    static string E(string text) => WebUtility.HtmlEncode(text);
    static string N(double value) => double.IsFinite(value)
        ? value.ToString(Math.Abs(value) >= 100 ? "0.0" : "0.###", CultureInfo.InvariantCulture) : "—";
    static string P(double share) => share.ToString("0.#%", CultureInfo.InvariantCulture);
}
