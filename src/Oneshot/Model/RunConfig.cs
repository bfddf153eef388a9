using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Oneshot.Model;

/// <summary>Which dataset a model was trained on.</summary>
public sealed record DatasetReference
{
    public string Path { get; init; } = "";
    public string Hash { get; init; } = "";
    /// <summary>How the clips were prepared; outside files are prepared the same way before encoding.</summary>
    public Oneshot.Data.PrepareOptions? Preparation { get; init; }
}

/// <summary>config.json of a model directory: architecture, training options and the dataset.</summary>
public sealed record RunConfig
{
    public string Format { get; init; } = "oneshot-model";
    public int Version { get; init; } = 1;
    public string Preset { get; init; } = "cpu";
    public ModelConfig Model { get; init; } = new();
    public TrainConfig Train { get; init; } = new();
    public Stage2Config Stage2 { get; init; } = new();
    public DatasetReference Dataset { get; init; } = new();

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Validate()
    {
        Model.Validate();
        Train.Validate();
        Stage2.Validate();
    }

    /// <summary>Parses config.json; unknown keys and wrong types are errors naming the file.</summary>
    public static RunConfig Parse(string json, string origin)
    {
        try
        {
            var config = JsonSerializer.Deserialize<RunConfig>(json, Json) ?? throw new OneshotException($"{origin} is empty.");
            if (config.Format != "oneshot-model") throw new OneshotException($"{origin} is not a Oneshot model config (format '{config.Format}').");
            if (config.Version != 1) throw new OneshotException($"{origin} has config version {config.Version}; this Oneshot reads version 1.");
            return config;
        }
        catch (JsonException e)
        {
            throw new OneshotException($"{origin} is not a valid model config: {e.Message}", e);
        }
    }

    public static RunConfig Load(string path)
    {
        if (!File.Exists(path)) throw new OneshotException($"'{path}' does not exist.");
        return Parse(File.ReadAllText(path), $"'{path}'");
    }

    /// <summary>Applies `--set key=value` overrides, e.g. <c>model.latent_size=32</c> or <c>train.batch_size=4</c>.</summary>
    public RunConfig With(IEnumerable<string> assignments) =>
        Parse(SettingOverrides.Apply(JsonSerializer.SerializeToNode(this, Json)!.AsObject(), assignments, "model.latent_size=32"), "--set");

    /// <summary>A short description for progress lines and reports.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Preset}: {Model.Bands} bands, capacity {Model.Capacity}, ratios {string.Join("·", Model.Ratios)}, latent {Model.LatentSize}, posterior {(Model.ActiveFlowSteps == 0 ? "Gaussian" : $"{Model.PosteriorFlow.ToString().ToLowerInvariant()} × {Model.ActiveFlowSteps}")}");
}

/// <summary>The named starting points: `tiny` for tests, `cpu` for a laptop, `gpu` for RAVE-v2 size.</summary>
public static class Presets
{
    public static readonly string[] Names = ["tiny", "cpu", "gpu"];

    public static RunConfig Get(string name) => name switch
    {
        "cpu" => new RunConfig { Preset = "cpu", Train = new TrainConfig { AugmentPitchSemitones = 3, AugmentShelfDb = 6 } },
        "gpu" => new RunConfig
        {
            Preset = "gpu",
            Model = new ModelConfig { Capacity = 96, MaxChannels = 768, LatentSize = 128, ContextSize = 128, FlowHidden = 512, SylvesterRank = 64, BottleneckChannels = 128 },
            Train = new TrainConfig { BatchSize = 16, Steps = 1_000_000, BetaWarmupSteps = 20_000, AugmentPitchSemitones = 3, AugmentShelfDb = 6 },
            Stage2 = new Stage2Config { StartStep = 500_000, DiscriminatorCapacity = 32, DiscriminatorMaxChannels = 1024, DiscriminatorCrop = null },
        },
        "tiny" => new RunConfig
        {
            Preset = "tiny",
            Model = new ModelConfig
            {
                Bands = 4, Capacity = 8, MaxChannels = 32, Ratios = [2, 2], Dilations = [1, 3], BottleneckChannels = 4,
                LatentSize = 8, ContextSize = 8, FlowSteps = 2, FlowHidden = 16, SylvesterRank = 4,
                StftSizes = [512, 256, 128, 64], BandStftSizes = [64, 32], NoiseFrameLength = 16,
            },
            Train = new TrainConfig
            {
                BatchSize = 4, Steps = 300, WarmupSteps = 10, BetaWarmupSteps = 100, LearningRate = 3e-3, LearningRateMin = 1e-3,
                ValidateEvery = 100, CheckpointEvery = 100, Examples = 2, ValidationClips = 16,
            },
            Stage2 = new Stage2Config { StartStep = null, Periods = [2, 3], Scales = 1, DiscriminatorCapacity = 4, DiscriminatorMaxChannels = 16 },
        },
        _ => throw new OneshotException($"--preset {name}: no such preset; use one of {string.Join(", ", Names)}."),
    };
}
