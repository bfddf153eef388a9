using System.Text.Json;
using Oneshot.Storage;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>
/// A model directory (docs/formats.md): config.json, model.safetensors (parameter names are module paths),
/// latent.json, and train/ with checkpoints and logs.
/// </summary>
public static class ModelDirectory
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";
    public const string LatentFile = "latent.json";
    public const string TrainFolder = "train";

    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, ConfigFile));

    public static void SaveConfig(string directory, RunConfig config)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), config.ToJson());
    }

    public static Dictionary<string, Tensor> Weights(nn.Module model) =>
        model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

    /// <summary>
    /// Copies named weights into the model; any missing, extra or mis-shaped tensor is an error naming it,
    /// except a missing one <paramref name="mayBeNew"/> accepts, which keeps its initial value.
    /// </summary>
    /// <returns>The names of the parameters left at their initial values.</returns>
    public static IReadOnlyList<string> LoadWeights(nn.Module model, IReadOnlyDictionary<string, Tensor> tensors,
        string origin, string prefix = "", Func<string, bool>? mayBeNew = null)
    {
        var parameters = model.named_parameters().ToList();
        var problems = new List<string>();
        var fresh = parameters.Where(p => !tensors.ContainsKey(prefix + p.name) && mayBeNew?.Invoke(p.name) == true)
            .Select(p => p.name).ToList();
        foreach (var (name, parameter) in parameters)
        {
            if (fresh.Contains(name)) continue;
            if (!tensors.TryGetValue(prefix + name, out var value)) problems.Add($"'{name}' is missing");
            else if (!value.shape.SequenceEqual(parameter.shape))
                problems.Add($"'{name}' has shape [{string.Join(", ", value.shape)}], the config needs " +
                    $"[{string.Join(", ", parameter.shape)}]");
        }
        var expected = parameters.Select(p => prefix + p.name).ToHashSet();
        problems.AddRange(tensors.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)
            && !expected.Contains(k)).Take(3).Select(k => $"'{k}' is not part of this architecture"));
        if (problems.Count > 0)
            throw new OneshotException($"{origin} does not match the model's config.json: " +
                $"{string.Join("; ", problems.Take(5))}" +
                $"{(problems.Count > 5 ? $" (and {problems.Count - 5} more)" : "")}.");
        using var _ = no_grad();
        foreach (var (name, parameter) in parameters)
            if (!fresh.Contains(name)) parameter.copy_(tensors[prefix + name]);
        foreach (var (_, module) in model.named_modules()) if (module is WeightNormConv conv) conv.Unfreeze();
        return fresh;
    }

    /// <summary>
    /// Copies another model directory's weights into a model being trained (float16 weights become float32);
    /// decoder parts the source lacks (<see cref="ModelConfig.DecoderAdditions"/>) start at their initial values.
    /// </summary>
    /// <returns>The names of the parameters the source did not have.</returns>
    public static IReadOnlyList<string> LoadWeightsFrom(WaveformVae model, string directory)
    {
        string weights = Path.Combine(directory, WeightsFile);
        if (!File.Exists(weights))
            throw new OneshotException($"'{directory}' has no {WeightsFile} to start from; name a trained model " +
                $"directory.");
        using var contents = Safetensors.Load(weights);
        return LoadWeights(model, contents.Tensors, $"'{weights}'", mayBeNew: WaveformVae.IsDecoderAddition);
    }

    /// <summary>Opens a trained model for inference (weights folded, eval mode).</summary>
    public static (RunConfig Config, WaveformVae Model) Load(string directory)
    {
        if (!Directory.Exists(directory))
            throw new OneshotException($"Model directory '{directory}' does not exist; train one with `oneshot train " +
                $"--data DATA --out {directory}`.");
        if (!Exists(directory))
            throw new OneshotException($"'{directory}' is not a model directory: {ConfigFile} is missing.");
        var config = RunConfig.Load(Path.Combine(directory, ConfigFile));
        config.Validate();
        string weights = Path.Combine(directory, WeightsFile);
        if (!File.Exists(weights))
            throw new OneshotException($"'{directory}' has no {WeightsFile} yet: training writes it at the first " +
                $"validation (or resume training with --resume).");
        var model = new WaveformVae(config.Model);
        using (var contents = Safetensors.Load(weights))
        {
            LoadWeights(model, contents.Tensors, $"'{weights}'");
            model.NoiseEnabled = WaveformVae.NoiseOnAt(config, StepOf(contents.Metadata) ?? long.MaxValue);
        }
        model.Freeze();
        return (config, model);
    }

    /// <summary>The training step model.safetensors was saved at (null when it does not say).</summary>
    // the header only
    public static long? SavedStep(string directory) =>
        StepOf(Safetensors.ReadMetadata(Path.Combine(directory, WeightsFile)));

    static long? StepOf(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue("step", out var text) && long.TryParse(text, out long step) ? step : null;

    public static void SaveLatent(string directory, LatentStatistics statistics) =>
        AtomicFile.WriteAllText(Path.Combine(directory, LatentFile),
            JsonSerializer.Serialize(statistics, RunConfig.Json));

    public static LatentStatistics? LoadLatent(string directory)
    {
        string path = Path.Combine(directory, LatentFile);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<LatentStatistics>(File.ReadAllText(path), RunConfig.Json); }
        catch (JsonException e) { throw new OneshotException($"'{path}' is not valid: {e.Message}", e); }
    }
}
