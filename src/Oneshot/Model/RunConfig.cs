using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Oneshot.Model;

/// <summary>config.json of a model directory: architecture, training options and the dataset.</summary>
public sealed record RunConfig
{
    public string Format { get; init; } = "oneshot-model";
    /// <summary>
    /// 2 since the records' defaults became the cpu preset's (retuning and shelf on); 3 since the
    /// encoder reads log-mels and β ends at 0.005. Older files are migrated on load, so they keep what they trained
    /// with.
    /// </summary>
    public int Version { get; init; } = CurrentVersion;

    public const int CurrentVersion = 4;
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
        if (Train.TcWeight > 0 && Model.ActiveFlowSteps > 0)
            throw new OneshotException($"train.tc_weight needs a Gaussian posterior: its estimate uses each clip's " +
                $"posterior density, which a posterior flow does not give in closed form. Add --set " +
                $"model.flow_steps=0.");
        if (Train.Attributes.Length > Model.LatentSize)
            throw new OneshotException($"train.attributes names {Train.Attributes.Length} descriptors, but " +
                $"model.latent_size {Model.LatentSize} has fewer dimensions to give them.");
    }

    /// <summary>Parses config.json; unknown keys and wrong types are errors naming the file.</summary>
    public static RunConfig Parse(string json, string origin)
    {
        try
        {
            var node = JsonNode.Parse(json)?.AsObject() ?? throw new OneshotException($"{origin} is empty.");
            int version = node["version"] is JsonValue v && v.TryGetValue(out int number) ? number : 1;
            if (version < 1 || version > CurrentVersion)
                throw new OneshotException($"{origin} has config version {version}; this Oneshot reads versions 1 to " +
                    $"{CurrentVersion}.");
            if (version == 1) MigrateFromVersion1(node);
            if (version <= 2) MigrateFromVersion2(node);
            if (version <= 3) MigrateFromVersion3(node);
            var config = node.Deserialize<RunConfig>(Json) ?? throw new OneshotException($"{origin} is empty.");
            if (config.Format != "oneshot-model")
                throw new OneshotException($"{origin} is not a Oneshot model config (format '{config.Format}').");
            return config;
        }
        catch (JsonException e)
        {
            throw new OneshotException($"{origin} is not a valid model config: {e.Message}", e);
        }
    }

    /// <summary>
    /// Version 1 left retuning and the shelf off by default (the cpu preset turned them on), so a
    /// version-1 file without those keys trained without them: it keeps 0.
    /// </summary>
    static void MigrateFromVersion1(JsonObject config)
    {
        if (config["train"] is JsonObject train)
        {
            train["augment_pitch_semitones"] ??= 0.0;
            train["augment_shelf_db"] ??= 0.0;
        }
        else config["train"] = new JsonObject { ["augment_pitch_semitones"] = 0.0, ["augment_shelf_db"] = 0.0 };
        config["version"] = 2;
    }

    /// <summary>Version 2's decoder used LeakyReLU, its encoder read PQMF bands and β ended at 0.02 unless told
    /// otherwise: a file without the keys keeps them.</summary>
    static void MigrateFromVersion2(JsonObject config)
    {
        if (config["model"] is not JsonObject model) config["model"] = model = new JsonObject();
        model["decoder_activation"] ??= "leaky_relu";
        model["encoder_input"] ??= "pqmf";
        if (config["train"] is not JsonObject train) config["train"] = train = new JsonObject();
        train["beta"] ??= 0.02;
        config["version"] = 3;
    }

    /// <summary>Version 3's encoder read log-mels unless told otherwise: a file without the key keeps them.</summary>
    static void MigrateFromVersion3(JsonObject config)
    {
        if (config["model"] is not JsonObject model) config["model"] = model = new JsonObject();
        model["encoder_input"] ??= "log_mel";
        config["version"] = CurrentVersion;
    }

    public static RunConfig Load(string path)
    {
        if (!File.Exists(path)) throw new OneshotException($"'{path}' does not exist.");
        return Parse(File.ReadAllText(path), $"'{path}'");
    }

    /// <summary>Applies `--set key=value` overrides, e.g. <c>model.latent_size=32</c> or
    /// <c>train.batch_size=4</c>.</summary>
    public RunConfig With(IEnumerable<string> assignments) =>
        Parse(SettingOverrides.Apply(JsonSerializer.SerializeToNode(this, Json)!.AsObject(), assignments,
            "model.latent_size=32"), "--set");

    /// <summary>A short description for progress lines and reports.</summary>
    public string Describe()
    {
        string posterior = Model.ActiveFlowSteps == 0
            ? "Gaussian"
            : $"{Model.PosteriorFlow.ToString().ToLowerInvariant()} × {Model.ActiveFlowSteps}";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Preset}: {Model.Bands} bands, capacity {Model.Capacity}, ratios {string.Join("·", Model.Ratios)}, " +
            $"latent {Model.LatentSize}, posterior {posterior}")
            + (Model.EncoderInput == EncoderInput.LogMel ? ", log-mel encoder" : "");
    }
}
