using Oneshot.Data;
using Oneshot.Model;
using Oneshot.Prior;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Generation;

/// <summary>A trained model opened for use: encode files, decode latents, sample from the prior.</summary>
public sealed class ModelRunner : IDisposable
{
    readonly WaveformVae _model;
    readonly Device _device;
    readonly Lazy<OnnxDecoder?> _onnx;

    public ModelRunner(string modelDirectory, Device? device = null)
    {
        _device = device ?? CPU;
        (Config, _model) = ModelDirectory.Load(modelDirectory);
        _model.to(_device);
        Directory = modelDirectory;
        // On the CPU, ONNX Runtime decodes the same graph about three times as fast as libtorch (OnnxDecoder).
        // It copies the weights at the first decode: a runner's model is for inference and never trained further.
        _onnx = new(() => _device.type == DeviceType.CPU ? OnnxDecoder.TryCreate(_model, get_num_threads()) : null);
    }

    /// <summary>Whether <see cref="Decode"/> runs in ONNX Runtime (else libtorch).</summary>
    public bool DecodesWithOnnx => _onnx.Value is not null;

    public string Directory { get; }

    /// <summary>Clips encoded, decoded or refined at once (`--batch-size`): more feeds a GPU better; on a CPU 8 is as
    /// fast as any.</summary>
    public int BatchSize
    {
        get;
        init => field = value >= 1 ? value : throw new OneshotException($"--batch-size {value} must be at least 1.");
    } = 8;
    public RunConfig Config { get; }
    public WaveformVae Model => _model;
    public int LatentSize => Config.Model.LatentSize;
    public int SampleRate => Config.Model.SampleRate;
    public int ClipLength => Config.Model.ClipLength;

    /// <summary>Prepares a file as the training clips were (trim, resample, length, normalisation).</summary>
    public float[] PrepareFile(string path)
    {
        var options = (Config.Dataset.Preparation ?? new PrepareOptions()) with { SampleRate = SampleRate,
            ClipLength = ClipLength };
        return ClipPreparation.PrepareFile(path, options);
    }

    /// <summary>The deterministic latent of each clip (the flow applied to the posterior mean).</summary>
    public float[][] Encode(IReadOnlyList<float[]> clips, int? batchSize = null) =>
        _model.EncodeMeans(clips.Count, i => clips[i], batchSize ?? BatchSize);

    /// <summary>Latents moved by <paramref name="steps"/> steps of gradient descent towards a closer reconstruction
    /// (<see cref="LatentRefiner"/>).</summary>
    public float[][] Refine(IReadOnlyList<float[]> clips, IReadOnlyList<float[]> latents, int steps,
        Action<int>? progress = null) =>
        LatentRefiner.Refine(_model, clips, latents, steps, batchSize: BatchSize, progress: progress);

    /// <summary>The encoder's latents, then refined by <paramref name="steps"/> steps (none: the encoder's as they
    /// are).</summary>
    public float[][] EncodeRefined(IReadOnlyList<float[]> clips, int steps, Action<int>? progress = null) =>
        Refine(clips, Encode(clips), steps, progress);

    public float[][] Decode(IReadOnlyList<float[]> latents, int? batchSize = null, ulong noiseSeed = 0)
    {
        foreach (var z in latents)
        {
            if (z.Length != LatentSize)
                throw new OneshotException($"A latent has {z.Length} values; this model's latents have {LatentSize}.");
            if (z.Any(v => !float.IsFinite(v))) throw new OneshotException("A latent holds NaN or infinite values.");
        }
        if (_onnx.Value is { } onnx) return [.. latents.Chunk(batchSize ?? BatchSize).SelectMany(onnx.Decode)];
        var result = new List<float[]>();
        using var generator = new Generator(noiseSeed, _device);
        foreach (var chunk in latents.Chunk(batchSize ?? BatchSize))
        {
            using var scope = NewDisposeScope();
            using var _ = inference_mode();
            var audio = _model.Decode(stack(chunk.Select(c => tensor(c)).ToArray()).to(_device), generator).cpu();
            for (int i = 0; i < chunk.Length; i++) result.Add(audio[i].data<float>().ToArray());
        }
        return result.ToArray();
    }

    public bool HasTrainedPrior => PriorFile.Exists(Directory);

    /// <summary>The fitted prior, read once: the instrument draws from it on every click.</summary>
    /// <remarks>Loaded on a pool thread: dispose scopes belong to a thread, so a scope the caller has open
    /// cannot adopt the cached prior's weights and dispose them when it ends.</remarks>
    LatentPrior TrainedPrior => _prior ??= Task.Run(() => PriorFile.Load(Directory, LatentSize)).GetAwaiter()
        .GetResult();
    LatentPrior? _prior;

    /// <summary>
    /// Latents from a prior at a temperature (the base noise is scaled by it): N(0, I), or the prior
    /// fitted by `oneshot prior train` when <paramref name="trainedPrior"/> is set.
    /// </summary>
    public float[][] SampleLatents(int count, double temperature, long seed, bool trainedPrior = false)
    {
        if (count < 1) throw new OneshotException($"--count {count} must be at least 1.");
        if (temperature < 0 || !double.IsFinite(temperature))
            throw new OneshotException($"--temperature {temperature} must be 0 or more.");
        var prior = trainedPrior ? TrainedPrior : null;
        using var scope = NewDisposeScope();
        using var generator = new Generator(Seeds.Mix(seed, 0x5A3B1E));
        Tensor z;
        if (prior is not null)
        {
            using var _ = no_grad();
            z = prior.Sample(count, temperature, generator);
        }
        else
        {
            using Scalar scale = temperature;
            z = randn([count, LatentSize], generator: generator).mul(scale);
        }
        return Enumerable.Range(0, count).Select(i => z[i].data<float>().ToArray()).ToArray();
    }

    public void Dispose()
    {
        if (_onnx.IsValueCreated) _onnx.Value?.Dispose();
        _prior?.Dispose();
        _model.Dispose();
    }
}
