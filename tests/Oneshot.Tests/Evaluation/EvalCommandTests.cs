using System.Text.Json;
using Oneshot.Evaluation;
using Oneshot.Prior;
using Oneshot.Tests.Cli;
using Oneshot.Tests.Training;
using Oneshot.Training;

namespace Oneshot.Tests.Evaluation;

public class EvalCommandTests
{
    [Fact]
    public void Eval_compares_models_and_priors_and_writes_the_report()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir, count: 48);
        string gaussian = TinyData.TrainModel(dir, data, "gaussian-posterior", settings: "model.flow_steps=0");
        string flow = TinyData.TrainModel(dir, data, "flow-posterior");
        new PriorTrainer().Run(new PriorRequest { ModelDirectory = flow, Config = new PriorConfig { Kind = PriorKind.Gaussian } });
        string report = dir.File("report"), cache = dir.File("cache");

        var (code, output, error) = CliTests.Oneshot("eval", "--models", gaussian, flow, "--data", data, "--out", report, "--samples", "12", "--cache", cache);
        Assert.True(code == 0, error + output);
        CliTests.AssertNoLibraryWarnings(output + error);
        Assert.Contains("report.html", output);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "metrics.json")));
        var root = json.RootElement;
        Assert.StartsWith("logmel-stats", root.GetProperty("embedder").GetString());
        var models = root.GetProperty("models");
        Assert.Equal(2, models.GetArrayLength());
        Assert.False(models[0].GetProperty("posterior_flow").GetBoolean());
        Assert.True(models[1].GetProperty("posterior_flow").GetBoolean());
        // Without a trained prior only N(0, I); with one, both, from the same seed and count.
        Assert.Equal(1, models[0].GetProperty("generation").GetArrayLength());
        var priors = models[1].GetProperty("generation");
        Assert.Equal(["standard", "trained"], priors.EnumerateArray().Select(g => g.GetProperty("prior").GetString()!).ToArray());
        foreach (var g in priors.EnumerateArray())
        {
            Assert.Equal(12, g.GetProperty("count").GetInt32());
            foreach (string metric in new[] { "fad", "kid", "manifold", "ndb", "fad_infinity", "candidate_vendi" })
                Assert.True(g.GetProperty("versus_test").TryGetProperty(metric, out _), metric);
            Assert.True(g.GetProperty("versus_test").GetProperty("fad").GetDouble() > 0);
        }
        var yardsticks = root.GetProperty("identification_yardsticks");
        Assert.Equal(IdentificationYardsticks.Names, yardsticks.EnumerateArray().Select(y => y.GetProperty("degradation").GetString()!).ToArray());
        foreach (var y in yardsticks.EnumerateArray())
            Assert.InRange(y.GetProperty("identification").GetProperty("top1").GetDouble(), 0, 1);
        var recon = models[1].GetProperty("reconstruction");
        Assert.True(recon.GetProperty("spectral").GetDouble() > 0);
        Assert.InRange(recon.GetProperty("identification").GetProperty("top1").GetDouble(), 0, 1);
        Assert.InRange(recon.GetProperty("identification").GetProperty("same_class").GetDouble(), 0, 1);
        Assert.Equal(JsonValueKind.Null, recon.GetProperty("identification").GetProperty("same_instrument").ValueKind);   // synthetic clips name no instrument
        var seen = models[1].GetProperty("seen_reconstruction");
        Assert.Equal(recon.GetProperty("identification").GetProperty("count").GetInt32(), seen.GetProperty("identification").GetProperty("count").GetInt32());
        Assert.True(seen.GetProperty("log_mel_l1").GetDouble() > 0);
        // Orderings a broken metric gets wrong: a clip's own source is of its class, so "same class"
        // is never below top-1; top-5 never below top-1; a milder degradation is identified at least
        // as often as a harsher one; real train clips are closer to the test clips than a 300-step
        // tiny model's samples are.
        foreach (var set in new[] { recon, seen })
        {
            var identification = set.GetProperty("identification");
            double top1 = identification.GetProperty("top1").GetDouble();
            Assert.True(identification.GetProperty("top5").GetDouble() >= top1);
            Assert.True(identification.GetProperty("same_class").GetDouble() >= top1);
            Assert.True(identification.GetProperty("median_rank").GetDouble() >= 1);
        }
        double Yardstick(string name) => yardsticks.EnumerateArray().Single(y => y.GetProperty("degradation").GetString() == name)
            .GetProperty("identification").GetProperty("top1").GetDouble();
        Assert.True(Yardstick("low-pass 4 kHz") >= Yardstick("low-pass 1 kHz"));
        Assert.True(Yardstick("white noise −30 dBFS") >= Yardstick("white noise −20 dBFS"));
        // Partials kept: scored on the same pitched test clips for the model and every yardstick.
        var partials = recon.GetProperty("partials");
        int pitchedClips = partials.GetProperty("pitched_clips").GetInt32();
        Assert.True(pitchedClips > 0, "the synthetic kits' bells and plucks are pitched");
        Assert.InRange(partials.GetProperty("share").GetDouble(), 0, 1);
        foreach (var y in yardsticks.EnumerateArray())
            Assert.Equal(pitchedClips, y.GetProperty("partials").GetProperty("pitched_clips").GetInt32());
        double Kept(string name) => yardsticks.EnumerateArray().Single(y => y.GetProperty("degradation").GetString() == name)
            .GetProperty("partials").GetProperty("share").GetDouble();
        Assert.True(Kept("low-pass 4 kHz") >= Kept("low-pass 1 kHz"));
        // LSD and SNR of the round trip, with the degradations for scale: more noise, lower SNR and larger LSD.
        double Of(string name, string measure) => yardsticks.EnumerateArray().Single(y => y.GetProperty("degradation").GetString() == name).GetProperty(measure).GetDouble();
        Assert.True(Of("white noise −20 dBFS", "snr_db") < Of("white noise −30 dBFS", "snr_db"));
        Assert.True(Of("white noise −20 dBFS", "lsd_db") > Of("white noise −30 dBFS", "lsd_db"));
        Assert.True(recon.GetProperty("lsd_db").GetDouble() > 0);
        Assert.True(double.IsFinite(recon.GetProperty("snr_db").GetDouble()));
        Assert.Equal(JsonValueKind.Object, recon.GetProperty("frame_grid_ripple").ValueKind);
        var real = root.GetProperty("real_train_versus_test");
        foreach (var g in priors.EnumerateArray())
        {
            Assert.True(real.GetProperty("fad").GetDouble() < g.GetProperty("versus_test").GetProperty("fad").GetDouble());
            Assert.True(real.GetProperty("kid").GetProperty("mean").GetDouble() < g.GetProperty("versus_test").GetProperty("kid").GetProperty("mean").GetDouble());
        }
        var latent = models[1].GetProperty("latent");
        Assert.True(latent.GetProperty("prior_nll_per_dimension").TryGetProperty("trained", out _));

        // Every named control was moved across test clips, scored, and drawn as a strip.
        var controls = models[1].GetProperty("controls").EnumerateArray().ToList();
        Assert.Contains(controls, c => c.GetProperty("name").GetString() == "brightness");
        foreach (var c in controls.Where(c => c.GetProperty("rho").ValueKind == JsonValueKind.Number))
        {
            Assert.InRange(c.GetProperty("rho").GetDouble(), -1, 1);
            Assert.InRange(c.GetProperty("cross_talk").GetDouble(), 0, 1);
            Assert.True(File.Exists(Path.Combine(report, c.GetProperty("strip").GetString()!)));
        }

        // Disentanglement against the descriptors, and against the synthetic recipe's known factors.
        var factorScores = models[1].GetProperty("factor_disentanglement");
        // One held-out kit here: its kit-wide factors do not vary, so only the kind of sound is scored.
        Assert.Equal(["kind"], factorScores.GetProperty("factors").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        foreach (string score in new[] { "mig", "modularity" })
            Assert.InRange(factorScores.GetProperty(score).GetDouble(), 0, 1);
        Assert.InRange(models[1].GetProperty("disentanglement").GetProperty("mig").GetDouble(), 0, 1);

        string html = File.ReadAllText(Path.Combine(report, "report.html"));
        foreach (string text in new[] { "not CLAP", "FAD∞", "KID", "precision", "Identification", "<svg", "<audio", "trained (gaussian)", "N(0, I)", "real train clips", "train (seen)", "For scale", "partials kept", "Named controls", "cross-talk", "MIG", "known factors" })
            Assert.Contains(text, html);
        foreach (var src in System.Text.RegularExpressions.Regex.Matches(html, "src=\"([^\"]+)\"").Select(m => m.Groups[1].Value))
            Assert.True(File.Exists(Path.Combine(report, src)), $"the report plays {src}, which is missing");

        // The second run embeds nothing new: every embedding comes from the cache, and the numbers repeat.
        int cached = Directory.GetFiles(cache, "*.f64", SearchOption.AllDirectories).Length;
        (code, output, error) = CliTests.Oneshot("eval", "--models", gaussian, flow, "--data", data, "--out", dir.File("again"), "--samples", "12", "--cache", cache, "--traversal-clips", "0");
        Assert.True(code == 0, error + output);
        Assert.Equal(cached, Directory.GetFiles(cache, "*.f64", SearchOption.AllDirectories).Length);
        using var again = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("again"), "metrics.json")));
        Assert.Equal(priors[1].GetProperty("versus_test").GetProperty("fad").GetDouble(),
                     again.RootElement.GetProperty("models")[1].GetProperty("generation")[1].GetProperty("versus_test").GetProperty("fad").GetDouble());
        Assert.Equal(0, again.RootElement.GetProperty("models")[1].GetProperty("controls").GetArrayLength());
    }

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
        var (code, output, error) = CliTests.Oneshot("eval", "--models", model, "--data", data, "--out", dir.File("r"), "--samples", "8", "--clap", dir.File("clap.onnx"), "--cache", dir.File("cache"),
            "--test-clips", $"{cap}");   // a big library's test split is scored on a bounded, evenly spaced part
        Assert.True(code == 0, error + output);
        var root = JsonDocument.Parse(File.ReadAllText(dir.File("r/metrics.json"))).RootElement;
        Assert.Equal("clap (clap.onnx)", root.GetProperty("embedder").GetString());
        Assert.Equal(cap, root.GetProperty("test_clips").GetInt32());
        Assert.Equal(5, root.GetProperty("models")[0].GetProperty("training").GetProperty("steps").GetInt64());   // TinyData trains 5 steps
        Assert.Contains($"Scoring {cap} of the {testSplit} test clips", output);
        Assert.DoesNotContain("not CLAP", File.ReadAllText(dir.File("r/report.html")));

        (code, _, error) = CliTests.Oneshot("eval", "--models", dir.File("nothing"), "--data", data, "--out", dir.File("r2"));
        Assert.Equal(1, code);
        Assert.Contains("nothing' is not a model directory", error);
    }
}
