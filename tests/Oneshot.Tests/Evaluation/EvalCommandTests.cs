using System.Text.Json;
using Oneshot.Audio;
using Oneshot.Evaluation;
using Oneshot.Prior;
using Oneshot.Tests.Cli;
using Oneshot.Tests.Training;
using Oneshot.Training;

namespace Oneshot.Tests.Evaluation;

/// <summary>
/// `oneshot eval` on two tiny models (one with a posterior flow and a trained prior), run once and
/// read by each test below: what the report holds, the orderings a broken metric gets wrong, the
/// controls, the page, and the embedding cache.
/// </summary>
public sealed class EvalReportFixture : IDisposable
{
    readonly TempDir _dir = new();
    readonly JsonDocument _json;

    public string Data { get; }
    public string Gaussian { get; }
    public string Flow { get; }
    public string Report { get; }
    public string Cache { get; }
    public string Output { get; }
    public JsonElement Root => _json.RootElement;
    public JsonElement Models => Root.GetProperty("models");
    public JsonElement Yardsticks => Root.GetProperty("identification_yardsticks");

    public EvalReportFixture()
    {
        Data = TinyData.Build(_dir, count: 48);
        Gaussian = TinyData.TrainModel(_dir, Data, "gaussian-posterior", settings: "model.flow_steps=0");
        Flow = TinyData.TrainModel(_dir, Data, "flow-posterior");
        new PriorTrainer()
            .Run(new PriorRequest { ModelDirectory = Flow, Config = new PriorConfig { Kind = PriorKind.Gaussian } });
        Report = _dir.File("report");
        Cache = _dir.File("cache");
        var (code, output, error) = CliTests.Oneshot("eval", "--models", Gaussian, Flow, "--data", Data, "--out",
            Report, "--samples", "12", "--cache", Cache);
        Assert.True(code == 0, error + output);
        Output = output + error;
        _json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Report, "metrics.json")));
    }

    public string ScratchPath(string name) => _dir.File(name);

    public double Yardstick(string name, params string[] path)
    {
        var element = Yardsticks.EnumerateArray().Single(y => y.GetProperty("degradation").GetString() == name);
        foreach (string step in path) element = element.GetProperty(step);
        return element.GetDouble();
    }

    public void Dispose()
    {
        _json.Dispose();
        _dir.Dispose();
    }
}

public class EvalReportTests(EvalReportFixture eval) : IClassFixture<EvalReportFixture>
{
    [Fact]
    public void The_report_compares_both_models_with_and_without_a_trained_prior()
    {
        CliTests.AssertNoLibraryWarnings(eval.Output);
        Assert.Contains("report.html", eval.Output);
        Assert.StartsWith("logmel-stats", eval.Root.GetProperty("embedder").GetString());
        var models = eval.Models;
        Assert.Equal(2, models.GetArrayLength());
        Assert.False(models[0].GetProperty("posterior_flow").GetBoolean());
        Assert.True(models[1].GetProperty("posterior_flow").GetBoolean());
        // Without a trained prior only N(0, I); with one, both, from the same seed and count.
        Assert.Equal(1, models[0].GetProperty("generation").GetArrayLength());
        var priors = models[1].GetProperty("generation");
        Assert.Equal(["standard", "trained"], priors.EnumerateArray().Select(g => g.GetProperty("prior").GetString()!)
            .ToArray());
        var real = eval.Root.GetProperty("real_train_versus_test");
        foreach (var g in priors.EnumerateArray())
        {
            Assert.Equal(12, g.GetProperty("count").GetInt32());
            foreach (string metric in new[] { "fad", "kid", "manifold", "ndb", "fad_infinity", "candidate_vendi" })
                Assert.True(g.GetProperty("versus_test").TryGetProperty(metric, out _), metric);
            // Real train clips are closer to the test clips than a 300-step tiny model's samples are.
            Assert.True(real.GetProperty("fad").GetDouble() < g.GetProperty("versus_test").GetProperty("fad")
                .GetDouble());
            Assert.True(real.GetProperty("kid").GetProperty("mean").GetDouble() < g.GetProperty("versus_test")
                .GetProperty("kid").GetProperty("mean").GetDouble());
        }
        Assert.True(models[1].GetProperty("latent").GetProperty("prior_nll_per_dimension")
            .TryGetProperty("trained", out _));
    }

    [Fact]
    public void Identification_keeps_the_orderings_a_broken_metric_gets_wrong()
    {
        Assert.Equal(IdentificationYardsticks.Names, eval.Yardsticks.EnumerateArray()
            .Select(y => y.GetProperty("degradation").GetString()!).ToArray());
        var recon = eval.Models[1].GetProperty("reconstruction");
        var seen = eval.Models[1].GetProperty("seen_reconstruction");
        Assert.True(recon.GetProperty("spectral").GetDouble() > 0);
        Assert.True(seen.GetProperty("log_mel_l1").GetDouble() > 0);
        // synthetic clips name no instrument
        Assert.Equal(JsonValueKind.Null, recon.GetProperty("identification").GetProperty("same_instrument").ValueKind);
        Assert.Equal(recon.GetProperty("identification").GetProperty("count").GetInt32(),
            seen.GetProperty("identification").GetProperty("count").GetInt32());
        // A clip's own source is of its class, so "same class" is never below top-1; top-5 never
        // below top-1; a milder degradation is identified at least as often as a harsher one.
        foreach (var set in new[] { recon, seen })
        {
            var identification = set.GetProperty("identification");
            double top1 = identification.GetProperty("top1").GetDouble();
            Assert.True(identification.GetProperty("top5").GetDouble() >= top1);
            Assert.True(identification.GetProperty("same_class").GetDouble() >= top1);
            Assert.True(identification.GetProperty("median_rank").GetDouble() >= 1);
        }
        Assert.True(eval.Yardstick("low-pass 4 kHz", "identification", "top1") >= eval.Yardstick("low-pass 1 kHz",
            "identification", "top1"));
        Assert.True(eval.Yardstick("white noise −30 dBFS", "identification",
            "top1") >= eval.Yardstick("white noise −20 dBFS", "identification", "top1"));
    }

    [Fact]
    public void Partials_lsd_and_snr_are_scored_on_the_same_clips_as_their_yardsticks()
    {
        var recon = eval.Models[1].GetProperty("reconstruction");
        var partials = recon.GetProperty("partials");
        int pitchedClips = partials.GetProperty("pitched_clips").GetInt32();
        Assert.True(pitchedClips > 0, "the synthetic kits' bells and plucks are pitched");
        foreach (var y in eval.Yardsticks.EnumerateArray())
            Assert.Equal(pitchedClips, y.GetProperty("partials").GetProperty("pitched_clips").GetInt32());
        Assert.True(eval.Yardstick("low-pass 4 kHz", "partials", "share") >= eval.Yardstick("low-pass 1 kHz",
            "partials", "share"));
        // More noise: lower SNR and larger LSD.
        Assert.True(eval.Yardstick("white noise −20 dBFS", "snr_db") < eval.Yardstick("white noise −30 dBFS",
            "snr_db"));
        Assert.True(eval.Yardstick("white noise −20 dBFS", "lsd_db") > eval.Yardstick("white noise −30 dBFS",
            "lsd_db"));
        Assert.True(recon.GetProperty("lsd_db").GetDouble() > 0);
        Assert.True(double.IsFinite(recon.GetProperty("snr_db").GetDouble()));
        Assert.Equal(JsonValueKind.Object, recon.GetProperty("frame_grid_ripple").ValueKind);
    }

    [Fact]
    public void Every_named_control_is_moved_scored_and_drawn_and_disentanglement_is_scored()
    {
        var model = eval.Models[1];
        var controls = model.GetProperty("controls").EnumerateArray().ToList();
        Assert.Contains(controls, c => c.GetProperty("name").GetString() == "brightness");
        foreach (var c in controls.Where(c => c.GetProperty("rho").ValueKind == JsonValueKind.Number))
        {
            Assert.True(double.IsFinite(c.GetProperty("cross_talk").GetDouble()));
            Assert.True(File.Exists(Path.Combine(eval.Report, c.GetProperty("strip").GetString()!)));
        }
        // One held-out kit here: its kit-wide factors do not vary, so only the kind of sound is scored.
        var factorScores = model.GetProperty("factor_disentanglement");
        Assert.Equal(["kind"], factorScores.GetProperty("factors").EnumerateArray()
            .Select(f => f.GetProperty("name").GetString()));
        foreach (string score in new[] { "mig", "modularity" })
            Assert.True(double.IsFinite(factorScores.GetProperty(score).GetDouble()), score);
        Assert.True(double.IsFinite(model.GetProperty("disentanglement").GetProperty("mig").GetDouble()));
    }

    [Fact]
    public void The_page_names_every_measure_and_plays_only_files_it_wrote()
    {
        string html = File.ReadAllText(Path.Combine(eval.Report, "report.html"));
        foreach (string text in new[] { "not CLAP", "FAD∞", "KID", "precision", "Identification", "<svg", "<audio",
            "trained (gaussian)", "N(0, I)", "real train clips", "train (seen)", "For scale", "partials kept",
            "Named controls", "cross-talk", "MIG", "known factors" })
            Assert.Contains(text, html);
        foreach (var src in System.Text.RegularExpressions.Regex.Matches(html, "src=\"([^\"]+)\"")
            .Select(m => m.Groups[1].Value))
            Assert.True(File.Exists(Path.Combine(eval.Report, src)), $"the report plays {src}, which is missing");
    }

    [Fact]
    public void A_second_run_embeds_nothing_new_and_repeats_the_numbers()
    {
        int cached = Directory.GetFiles(eval.Cache, "*.f64", SearchOption.AllDirectories).Length;
        string again = eval.ScratchPath("again");
        var (code, output, error) = CliTests.Oneshot("eval", "--models", eval.Gaussian, eval.Flow, "--data", eval.Data,
            "--out", again, "--samples", "12", "--cache", eval.Cache, "--traversal-clips", "0");
        Assert.True(code == 0, error + output);
        Assert.Equal(cached, Directory.GetFiles(eval.Cache, "*.f64", SearchOption.AllDirectories).Length);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(again, "metrics.json")));
        Assert.Equal(eval.Models[1].GetProperty("generation")[1].GetProperty("versus_test").GetProperty("fad")
            .GetDouble(),
                     json.RootElement.GetProperty("models")[1].GetProperty("generation")[1].GetProperty("versus_test")
                         .GetProperty("fad").GetDouble());
        Assert.Equal(0, json.RootElement.GetProperty("models")[1].GetProperty("controls").GetArrayLength());
    }

    [Fact]
    public void The_yardstick_examples_are_the_real_examples_degraded()
    {
        string audio = Path.Combine(eval.Report, Evaluator.AudioFolder);
        float[][] real = ReadAll(Path.Combine(audio, "real"));
        Assert.True(real.Length >= 2, "the test needs two examples to tell them apart");
        int rate = WavReader.Read(Directory.GetFiles(Path.Combine(audio, "real"))[0]).SampleRate;
        foreach (string name in Evaluator.ExampleYardsticks)
        {
            float[][] degraded = ReadAll(Path.Combine(audio, Evaluator.YardstickFolder(name)));
            Assert.Equal(real.Length, degraded.Length);
            // Each is its own real example degraded so: nearer to that than to any other example degraded so.
            var again = real.Select(clip => IdentificationYardsticks.Degrade(name, clip, rate, seed: 99)).ToArray();
            for (int i = 0; i < real.Length; i++)
                for (int j = 0; j < real.Length; j++)
                    if (j != i)
                        Assert.True(Correlation(degraded[i], again[i]) > Correlation(degraded[i], again[j]),
                            $"{name} example {i + 1} is not the degraded real example {i + 1}");
        }
    }

    [Fact]
    public void Examples_are_drawn_with_the_seed_not_taken_from_the_top_of_the_split()
    {
        int[] picks = new ExampleWriter("unused", 8000, 6, seed: 1).Picks(100);
        Assert.Equal(6, picks.Distinct().Count());
        Assert.Equal(picks.Order(), picks);
        Assert.NotEqual([0, 1, 2, 3, 4, 5], picks);
        Assert.Equal(picks, new ExampleWriter("unused", 8000, 6, seed: 1).Picks(100));
        Assert.NotEqual(picks, new ExampleWriter("unused", 8000, 6, seed: 2).Picks(100));
        Assert.Equal([0, 1, 2], new ExampleWriter("unused", 8000, 6, seed: 1).Picks(3));
    }

    static float[][] ReadAll(string folder) =>
        [.. Directory.GetFiles(folder, "*.wav").Order(StringComparer.Ordinal).Select(f => WavReader.Read(f).ToMono())];

    static double Correlation(float[] a, float[] b)
    {
        int n = Math.Min(a.Length, b.Length);
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < n; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
        return ab / Math.Sqrt(aa * bb + 1e-30);
    }
}

public class EvalCommandTests
{
    [Fact]
    public void Eval_uses_a_clap_model_when_given_one()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir, count: 48);
        string model = TinyData.TrainModel(dir, data);
        int testSplit = new Oneshot.Data.ClipStore(data).IndicesOf("test").Length, cap = testSplit - 1;
        Assert.True(cap >= 6, $"the tiny dataset's test split ({testSplit}) should be larger than the smallest cap");
        var weight = Enumerable.Range(0, 64 * 8).Select(i => (float)Math.Sin(i)).ToArray();
        File.WriteAllBytes(dir.File("clap.onnx"), OnnxModelBuilder.MeanThenProject(weight, 64, 8, ClapFrontEnd.Frames));
        var (code, output, error) = CliTests.Oneshot("eval", "--models", model, "--data", data, "--out", dir.File("r"),
            "--samples", "8", "--clap", dir.File("clap.onnx"), "--cache", dir.File("cache"),
            "--test-clips", $"{cap}");   // a big library's test split is scored on a bounded, evenly spaced part
        Assert.True(code == 0, error + output);
        var root = JsonDocument.Parse(File.ReadAllText(dir.File("r/metrics.json"))).RootElement;
        Assert.Equal("clap (clap.onnx)", root.GetProperty("embedder").GetString());
        Assert.Equal(cap, root.GetProperty("test_clips").GetInt32());
        // TinyData trains 5 steps
        Assert.Equal(5, root.GetProperty("models")[0].GetProperty("training").GetProperty("steps").GetInt64());
        Assert.Contains($"Scoring {cap} of the {testSplit} test clips", output);
        Assert.DoesNotContain("not CLAP", File.ReadAllText(dir.File("r/report.html")));

        (code, _, error) = CliTests.Oneshot("eval", "--models", dir.File("nothing"), "--data", data, "--out",
            dir.File("r2"));
        Assert.Equal(1, code);
        Assert.Contains("nothing' is not a model directory", error);
    }
}
