using System.Globalization;
using System.Reflection;
using System.Text.Json.Serialization;
using Oneshot.Optimisation;
using Oneshot.Storage;
using static TorchSharp.torch;

namespace Oneshot.Training;

/// <summary>
/// A training checkpoint, the VAE's and the prior's alike: named tensors (module weights under a
/// prefix, optimiser moments) and a typed state record, in one safetensors file written atomically.
/// Each property of the record is a metadata key, named by its <see cref="JsonPropertyNameAttribute"/>,
/// so the files stay readable from Python and checkpoints written before this type keep loading.
/// A nullable property may be absent; any other missing key is an error naming the file.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    readonly Safetensors.Contents? _loaded;

    Checkpoint(Dictionary<string, Tensor> tensors, string origin, Safetensors.Contents? loaded = null)
    {
        Tensors = tensors;
        Origin = origin;
        _loaded = loaded;
    }

    public Dictionary<string, Tensor> Tensors { get; }

    /// <summary>How errors name this checkpoint, e.g. "Checkpoint '…/checkpoint-00000100.safetensors'".</summary>
    public string Origin { get; }

    public static Checkpoint Empty() => new([], "a new checkpoint");

    public Checkpoint With(string prefix, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        foreach (var (name, value) in tensors) Tensors[prefix + name] = value;
        return this;
    }

    /// <summary>The optimiser's moments, under the names it gives them (its own prefix).</summary>
    public Checkpoint With(AdamOptimizer optimizer) => With("", optimizer.State());

    public bool Has(string prefix) => Tensors.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>The tensors under <paramref name="prefix"/>, still named with it.</summary>
    public Dictionary<string, Tensor> Under(string prefix) =>
        Tensors.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary();

    public void Save<TState>(string path, TState state) where TState : class
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var metadata = new Dictionary<string, string>();
        foreach (var (key, property) in Keys<TState>())
            if (property.GetValue(state) is { } value)
                metadata[key] = value switch
                {
                    double d => d.ToString("R", CultureInfo.InvariantCulture),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => value.ToString()!,
                };
        Safetensors.Save(path, Tensors, metadata);
    }

    /// <param name="origin">How errors name the file, e.g. "Prior checkpoint".</param>
    /// <param name="advice">What to do when a key is missing, e.g. "start again with --force".</param>
    public static (Checkpoint Checkpoint, TState State) Load<TState>(string path, string origin,
        string advice) where TState : class, new()
    {
        var contents = Safetensors.Load(path);
        var checkpoint = new Checkpoint(contents.Tensors, $"{origin} '{path}'", contents);
        try
        {
            var state = new TState();
            foreach (var (key, property) in Keys<TState>())
            {
                var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (!contents.Metadata.TryGetValue(key, out var text))
                {
                    if (Nullable.GetUnderlyingType(property.PropertyType) is null)
                        throw new OneshotException($"{checkpoint.Origin} lacks '{key}' in its metadata; {advice}.");
                    continue;
                }
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
                    throw new OneshotException($"{checkpoint.Origin} has '{key}' = '{text}', which is not a number; " +
                        $"{advice}.");
                property.SetValue(state, type == typeof(double) ? number : type == typeof(long) ? (long)number
                    : type == typeof(int) ? (object)(int)number
                    : throw new InvalidOperationException($"{typeof(TState).Name}.{property.Name}: checkpoint state " +
                        $"holds numbers only."));
            }
            return (checkpoint, state);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    static IEnumerable<(string Key, PropertyInfo Property)> Keys<TState>() =>
        typeof(TState).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p =>
            (p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
                ?? throw new InvalidOperationException($"{typeof(TState).Name}.{p.Name} needs a [JsonPropertyName]: " +
                    $"it is the checkpoint's metadata key."), p));

    public void Dispose()
    {
        if (_loaded is not null) _loaded.Dispose();
    }
}
