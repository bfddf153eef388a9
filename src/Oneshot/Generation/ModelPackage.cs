using System.Security.Cryptography;
using Oneshot.Model;
using Oneshot.Prior;
using Oneshot.Storage;
using static TorchSharp.torch;

namespace Oneshot.Generation;

/// <summary>
/// A trained model made ready to hand on (`oneshot pack`): what playing, sampling and evaluating
/// need — config, weights, latent.json, the prior — without the training folder, the weights
/// optionally stored as float16 (half the size; loading turns them back into float32).
/// </summary>
public static class ModelPackage
{
    /// <summary>The files a packed model holds besides the weights (those present are copied).</summary>
    public static readonly string[] CopiedFiles = [ModelDirectory.ConfigFile, ModelDirectory.LatentFile,
        PriorFile.JsonFile, PriorFile.WeightsFile];

    /// <returns>The SHA-256 of the packed weights file, in lower-case hex.</returns>
    public static string Pack(string source, string destination, bool float16)
    {
        if (!ModelDirectory.Exists(source))
            throw new OneshotException($"'{source}' is not a model directory (no {ModelDirectory.ConfigFile}).");
        string weights = Path.Combine(source, ModelDirectory.WeightsFile);
        if (!File.Exists(weights))
            throw new OneshotException($"'{source}' has no {ModelDirectory.WeightsFile} yet: training writes it at " +
                $"the first validation.");
        if (Path.GetFullPath(source) == Path.GetFullPath(destination))
            throw new OneshotException("--out must be another directory than the model's own.");
        Directory.CreateDirectory(destination);
        foreach (string file in CopiedFiles.Where(f => File.Exists(Path.Combine(source, f))))
            File.Copy(Path.Combine(source, file), Path.Combine(destination, file), overwrite: true);
        string packed = Path.Combine(destination, ModelDirectory.WeightsFile);
        using (var contents = Safetensors.Load(weights))
        {
            var metadata = new Dictionary<string, string>(contents.Metadata)
                { ["dtype"] = float16 ? "float16" : "float32" };
            using var scope = NewDisposeScope();
            var tensors = contents.Tensors.ToDictionary(p => p.Key,
                p => float16 && p.Value.dtype == ScalarType.Float32 ? p.Value.to_type(ScalarType.Float16) : p.Value);
            Safetensors.Save(packed, tensors, metadata);
        }
        return Sha256(packed);
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
