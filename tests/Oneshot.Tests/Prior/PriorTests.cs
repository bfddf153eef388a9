using Oneshot.Data;
using Oneshot.Generation;
using Oneshot.Prior;
using Oneshot.Tests.Training;
using Oneshot.TorchInterop;
using Oneshot.Training;
using static TorchSharp.torch;

namespace Oneshot.Tests.Prior;

[Collection(ExactRunsCollection.Name)]
public class PriorTests
{
    /// <summary>The fit's optimiser settings live in prior.json like every other number, and bad ones are
    /// named.</summary>
    [Fact]
    public void The_fits_adam_settings_clip_and_bad_step_limit_are_settings_with_checks()
    {
        var config = new Oneshot.Prior.PriorConfig()
            .With(["prior.adam_beta1=0.5", "prior.gradient_clip=2.5", "prior.max_bad_steps=3"]);
        Assert.Equal((0.5, 0.999, 2.5, 3),
            (config.AdamBeta1, config.AdamBeta2, config.GradientClip, config.MaxBadSteps));
        config.Validate();
        Assert.Contains("prior.max_bad_steps",
            Assert.Throws<OneshotException>(() => (config with { MaxBadSteps = 0 }).Validate()).Message);
        Assert.Contains("prior.adam_beta1",
            Assert.Throws<OneshotException>(() => (config with { AdamBeta1 = 1 }).Validate()).Message);
    }

    [Fact]
    public void A_gaussian_fit_scores_held_out_points_at_the_true_entropy()
    {
        using var scope = NewDisposeScope();
        const int d = 6;
        using var generator = new Generator(4);
        var mixing = randn([d, d], generator: generator, dtype: ScalarType.Float64).Times(0.5)
            .Plus(eye(d, dtype: ScalarType.Float64));
        var offset = randn([d], generator: generator, dtype: ScalarType.Float64).Times(3);
        Tensor Draw(int n) => randn([n, d], generator: generator, dtype: ScalarType.Float64).matmul(mixing.t())
            .Plus(offset);
        double entropy = 0.5 * linalg.slogdet(mixing.matmul(mixing.t())).Item2.item<double>()
            + 0.5 * d * (1 + Math.Log(2 * Math.PI));
        var fit = Draw(50_000);
        var mean = fit.mean([0L]);
        var std = fit.std(0);
        using var prior = GaussianPrior.Fit(new PriorConfig { Kind = PriorKind.Gaussian }, mean, std,
            (fit - mean) / std);
        double nll = -prior.LogProb(Draw(50_000)).mean().item<double>();
        Assert.Equal(entropy, nll, 0.03);
        var samples = prior.Sample(20_000, 1, generator);
        Assert.True((samples.to_type(ScalarType.Float64).mean([0L]) - offset).abs().max().item<double>() < 0.1);
        var mode = prior.Sample(3, 0, generator);
        Assert.True((mode - mode[0]).abs().max().item<float>() == 0);
    }

    [Fact]
    public void Expectation_maximisation_finds_a_two_component_mixture()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(9);
        // 30 % around (−4, 0), 70 % around (+4, 1), unit spread: the fit must find both.
        var left = randn([3000, 2], generator: generator, dtype: ScalarType.Float64)
            .Plus(tensor(new double[] { -4, 0 }));
        var right = randn([7000, 2], generator: generator, dtype: ScalarType.Float64)
            .Plus(tensor(new double[] { 4, 1 }));
        var x = cat([left, right], 0);
        var mean = zeros(2, dtype: ScalarType.Float64);
        var std = ones(2, dtype: ScalarType.Float64);
        using var mixture = MixturePrior.Fit(new PriorConfig { Kind = PriorKind.Gmm, Components = 2 }, mean, std, x);
        var state = mixture.State().ToDictionary(p => p.Key, p => p.Value);
        var weights = state["gmm.log_weights"].exp().data<double>().ToArray();
        var centres = state["gmm.centres"];
        int rightIndex = centres[0, 0].item<double>() > 0 ? 0 : 1;
        Assert.Equal(0.7, weights[rightIndex], 0.02);
        Assert.Equal(4, centres[rightIndex, 0].item<double>(), 0.1);
        Assert.Equal(-4, centres[1 - rightIndex, 0].item<double>(), 0.1);
        using var single = GaussianPrior.Fit(new PriorConfig { Kind = PriorKind.Gaussian }, mean, std, x);
        Assert.True(mixture.LogProb(x).mean().item<double>() > single.LogProb(x).mean().item<double>() + 0.5,
            "two components must explain a bimodal set far better than one");
    }

    static (TempDir Dir, string Model) TrainedTinyModel()
    {
        var dir = new TempDir();
        return (dir, TinyData.TrainModel(dir, TinyData.Build(dir, count: 24)));
    }

    static PriorConfig Small(PriorKind kind) => new()
    {
        Kind = kind,
        Layers = 2,
        Hidden = 16,
        Bins = 4,
        Steps = 40,
        BatchSize = 32,
        ValidateEvery = 10,
        Patience = 100,
        FitDraws = 8,
        HeldOutDraws = 4,
        Components = 2,
    };

    [Fact]
    public void The_prior_fits_every_clip_the_model_trained_on_and_says_when_one_set_has_gone()
    {
        using var dir = new TempDir();
        var (model, extra, trainClips) = TinyData.TrainModelWithExtra(dir);

        var fitted = new PriorTrainer()
            .Run(new PriorRequest { ModelDirectory = model, Config = Small(PriorKind.Gaussian) });
        Assert.Equal(trainClips + 8, fitted.Report.TrainClips);

        Directory.Move(extra, dir.File("extra-moved"));
        var messages = new List<string>();
        var alone = new PriorTrainer { OnMessage = messages.Add }.Run(
            new PriorRequest { ModelDirectory = model, Config = Small(PriorKind.Gaussian), Force = true });
        Assert.Equal(trainClips, alone.Report.TrainClips);
        Assert.Contains(messages, m => m.Contains(extra) && m.Contains("is not there"));
    }

    [Theory]
    [InlineData(PriorKind.Nsf)]
    [InlineData(PriorKind.Maf)]
    [InlineData(PriorKind.Gmm)]
    [InlineData(PriorKind.RealNvp)]
    public void Prior_train_writes_a_prior_that_sample_uses(PriorKind kind)
    {
        var (dir, model) = TrainedTinyModel();
        using var _ = dir;
        var result = new PriorTrainer().Run(new PriorRequest { ModelDirectory = model, Config = Small(kind) });
        Assert.True(result.Finished);
        Assert.True(double.IsFinite(result.Report.HeldOutNllPerDim));
        Assert.True(double.IsFinite(result.Report.Baselines["standard"])
            && double.IsFinite(result.Report.Baselines["gaussian"]));
        Assert.True(PriorFile.Exists(model));
        Assert.Equal(kind, PriorFile.ReadConfig(model).Kind);

        using var runner = new ModelRunner(model);
        Assert.True(runner.HasTrainedPrior);
        var samples = runner.SampleLatents(4, 0.8, seed: 3, trainedPrior: true);
        Assert.Equal(samples, runner.SampleLatents(4, 0.8, seed: 3, trainedPrior: true));
        Assert.All(samples, z => Assert.All(z, v => Assert.True(float.IsFinite(v))));
        Assert.Equal(8192, runner.Decode(samples)[0].Length);

        // The prior reloaded from disk scores the held-out latents exactly as the one just fitted did.
        using var prior = PriorFile.Load(model, runner.LatentSize);
        using var scope = NewDisposeScope();
        using var store = new ClipStore(runner.Config.Dataset.Path);
        using var heldOut = new PosteriorSampler(runner.Model, store, store.IndicesOf("valid"));
        var latents = PriorTrainer.HeldOutLatents(heldOut, Small(kind));
        double reloaded = -prior.LogProb(latents).mean().item<double>() / runner.LatentSize;
        Assert.Equal(result.Report.HeldOutNllPerDim, reloaded, 9);
        Assert.True(result.Report.HeldOutNllPerDim < result.Report.Baselines["standard"],
            "a fitted prior explains the latents better than N(0, I)");
        if (kind == PriorKind.RealNvp)
        {
            // prior.json spells the kind as --flow does; files from before, "real_nvp", still read.
            string json = Path.Combine(model, PriorFile.JsonFile);
            Assert.Contains("\"realnvp\"", File.ReadAllText(json));
            File.WriteAllText(json, File.ReadAllText(json).Replace("\"realnvp\"", "\"real_nvp\""));
            Assert.Equal(PriorKind.RealNvp, PriorFile.ReadConfig(model).Kind);
        }
        Assert.Contains("--force", Assert.Throws<OneshotException>(() =>
            new PriorTrainer().Run(new PriorRequest { ModelDirectory = model, Config = Small(kind) })).Message);
    }

    [Fact]
    public void An_interrupted_flow_fit_resumes_to_the_same_prior()
    {
        var (dir, model) = TrainedTinyModel();
        using var _ = dir;
        string copy = dir.File("copy");
        Directory.CreateDirectory(copy);
        foreach (string file in new[] { "config.json", "model.safetensors" })
            File.Copy(Path.Combine(model, file), Path.Combine(copy, file));
        var straight = new PriorTrainer()
            .Run(new PriorRequest { ModelDirectory = copy, Config = Small(PriorKind.Nsf) });
        using var cancel = new CancellationTokenSource();
        var config = Small(PriorKind.Nsf);
        var first = new PriorTrainer { OnStep = p => { if (p.Step >= 20) cancel.Cancel(); } }.Run(
            new PriorRequest { ModelDirectory = model, Config = config }, cancel.Token);
        Assert.False(first.Finished);
        Assert.False(PriorFile.Exists(model));
        var resumed = new PriorTrainer()
            .Run(new PriorRequest { ModelDirectory = model, Config = config, Resume = true });
        Assert.True(resumed.Finished);
        Assert.Equal(40, resumed.Report.Steps);
        Assert.True(PriorFile.Exists(model));
        Assert.Equal(straight.Report.HeldOutNllPerDim, resumed.Report.HeldOutNllPerDim);
    }
}
