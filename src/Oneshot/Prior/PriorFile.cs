using System.Text.Json;
using System.Text.Json.Nodes;
using Oneshot.Model;
using Oneshot.Storage;
using static TorchSharp.torch;

namespace Oneshot.Prior;

/// <summary>What fitting a prior measured; written to prior.json.</summary>
public sealed record PriorReport
{
    /// <summary>Held-out negative log-likelihood per latent dimension (nats) of this prior.</summary>
    public double HeldOutNllPerDim { get; init; }
    /// <summary>The same for the baselines, on the same held-out latents: standard (N(0, I)) and gaussian (full
    /// covariance).</summary>
    public Dictionary<string, double> Baselines { get; init; } = [];
    public int TrainClips { get; init; }
    public int HeldOutClips { get; init; }
    public int HeldOutDraws { get; init; }
    public long Steps { get; init; }
    public long BestStep { get; init; }
    public string DatasetHash { get; init; } = "";
    public DateTimeOffset Created { get; init; }
}

/// <summary>prior.json (settings, standardisation is in the tensors, report) + prior.safetensors in a model
/// directory.</summary>
public static class PriorFile
{
    public const string JsonFile = "prior.json";
    public const string WeightsFile = "prior.safetensors";

    sealed record Document
    {
        public string Format { get; init; } = "oneshot-prior";
        public int Version { get; init; } = 1;
        public int Dimensions { get; init; }
        public PriorConfig Config { get; init; } = new();
        public PriorReport Report { get; init; } = new();
    }

    public static bool Exists(string modelDirectory) => File.Exists(Path.Combine(modelDirectory, JsonFile));

    public static void Save(string modelDirectory, LatentPrior prior, PriorReport report)
    {
        var tensors = new Dictionary<string,
            Tensor> { ["standardise.mean"] = prior.Mean, ["standardise.std"] = prior.Std };
        foreach (var (name, value) in prior.State()) tensors[name] = value;
        Safetensors.Save(Path.Combine(modelDirectory, WeightsFile), tensors);
        var document = new Document { Dimensions = prior.Dimensions, Config = prior.Config, Report = report };
        AtomicFile.WriteAllText(Path.Combine(modelDirectory, JsonFile),
            JsonSerializer.Serialize(document, RunConfig.Json));
    }

    public static PriorReport ReadReport(string modelDirectory) => Read(modelDirectory).Report;

    public static PriorConfig ReadConfig(string modelDirectory) => Read(modelDirectory).Config;

    static Document Read(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, JsonFile);
        if (!File.Exists(path))
            throw new OneshotException($"'{modelDirectory}' has no trained prior ({JsonFile}); fit one with `oneshot " +
                $"prior train {modelDirectory}`.");
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path)) ?? throw new OneshotException($"'{path}' is empty.");
            // Priors fitted before the kind had one spelling say "real_nvp".
            if (node["config"]?["kind"] is JsonValue kind && kind.GetValueKind() == JsonValueKind.String
                && kind.GetValue<string>() == "real_nvp")
                node["config"]!["kind"] = "realnvp";
            var document = node.Deserialize<Document>(RunConfig.Json)
                ?? throw new OneshotException($"'{path}' is empty.");
            if (document.Format != "oneshot-prior" || document.Version != 1)
                throw new OneshotException($"'{path}' is not a Oneshot prior of version 1 (format " +
                    $"'{document.Format}', version {document.Version}).");
            document.Config.Validate();
            return document;
        }
        catch (JsonException e)
        {
            throw new OneshotException($"'{path}' is not a valid prior file: {e.Message}; fit it again with `oneshot " +
                $"prior train {modelDirectory} --force`.", e);
        }
    }

    /// <summary>Opens the model's trained prior; a file that does not match its settings is a clear error.</summary>
    public static LatentPrior Load(string modelDirectory, int latentSize)
    {
        var document = Read(modelDirectory);
        string weights = Path.Combine(modelDirectory, WeightsFile);
        if (document.Dimensions != latentSize)
            throw new OneshotException($"'{Path.Combine(modelDirectory, JsonFile)}' is for {document.Dimensions} " +
                $"latent dimensions; the model has {latentSize}. Fit the prior again with --force.");
        if (!File.Exists(weights))
            throw new OneshotException($"'{weights}' is missing; fit the prior again with `oneshot prior train " +
                $"{modelDirectory} --force`.");
        using var contents = Safetensors.Load(weights);
        Tensor Get(string name) => contents.Tensors.TryGetValue(name, out var t) ? t
            : throw new OneshotException($"'{weights}' has no tensor '{name}'; fit the prior again with --force.");
        var config = document.Config;
        var mean = Get("standardise.mean");
        var std = Get("standardise.std");
        LatentPrior prior = config.Kind switch
        {
            PriorKind.Standard => new StandardNormalPrior(latentSize),
            PriorKind.Gaussian =>
                new GaussianPrior(config, mean, std, Get("gaussian.centre"), Get("gaussian.cholesky")),
            PriorKind.Gmm =>
                new MixturePrior(config, mean, std, Get("gmm.log_weights"), Get("gmm.centres"), Get("gmm.choleskys")),
            _ => new FlowPrior(config, mean, std),
        };
        if (prior is FlowPrior flow)
        {
            var state = flow.Flow.state_dict();
            var problems = state.Where(p => !contents.Tensors.TryGetValue("flow." + p.Key, out var t)
                || !t.shape.SequenceEqual(p.Value.shape)).Select(p => p.Key).ToList();
            if (problems.Count > 0)
                throw new OneshotException($"'{weights}' does not match prior.json " +
                    $"({string.Join(", ", problems.Take(3))}); fit the prior again with --force.");
            using var _ = no_grad();
            foreach (var (name, value) in state) value.copy_(contents.Tensors["flow." + name]);
            flow.Flow.eval();
        }
        return prior;
    }
}
