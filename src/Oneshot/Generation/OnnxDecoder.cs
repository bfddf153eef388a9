using Microsoft.ML.OnnxRuntime;
using Oneshot.Model;
using static TorchSharp.torch;

namespace Oneshot.Generation;

/// <summary>
/// A trained decoder (latent → bands → PQMF synthesis) run by ONNX Runtime for inference on the CPU.
/// Its convolution kernels decode one clip of the cpu preset in ~5 ms, where libtorch 2.10's own
/// take ~14 ms and PyTorch 1.13's ~8 ms (docs/benchmarks.md, "Convolutions on every x86 CPU");
/// the instrument, sampling, kits and eval decode through it. The graph mirrors Decoder.forward
/// and Pqmf.Synthesis layer by layer, with the weights folded (weight normalisation applied);
/// a test holds its output to libtorch's. Configurations it does not mirror (the noise branch,
/// FiLM, position channels, damped modes) decode with libtorch.
/// </summary>
public sealed class OnnxDecoder : IDisposable
{
    /// <summary>Set to "libtorch" to decode with libtorch everywhere (to compare, or to rule this out).</summary>
    public const string BackendVariable = "ONESHOT_DECODER";

    readonly InferenceSession _session;
    readonly int _latentSize, _clipLength;
    readonly string _input;

    OnnxDecoder(byte[] model, string input, int latentSize, int clipLength, int threads)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        // Its worker threads would otherwise spin after each decode, taking a core from libtorch's work beside it.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _session = new InferenceSession(model, options);
        _input = input;
        _latentSize = latentSize;
        _clipLength = clipLength;
    }

    /// <summary>Whether the graph mirrors this configuration's decoder.</summary>
    public static bool Supports(ModelConfig config) =>
        !config.NoiseBranch && !config.DecoderFilm && config.DecoderPositions == 0 && config.Modes == 0;

    /// <summary>
    /// The decoder of <paramref name="model"/> in ONNX Runtime, or null where it decodes with libtorch
    /// (unsupported, turned off, or ONNX Runtime unusable). It copies the weights as they are now.
    /// </summary>
    public static OnnxDecoder? TryCreate(WaveformVae model, int threads)
    {
        if (!Supports(model.Config) || Environment.GetEnvironmentVariable(BackendVariable) == "libtorch") return null;
        try
        {
            var (bytes, input) = Build(model);
            return new OnnxDecoder(bytes, input, model.Config.LatentSize, model.Config.ClipLength, threads);
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException
            or TypeInitializationException)
        {
            return null;   // ONNX Runtime missing or refusing the graph: libtorch decodes the same clips, slower
        }
    }

    /// <summary>Latents [B][N] → clips [B][T].</summary>
    public float[][] Decode(IReadOnlyList<float[]> latents)
    {
        var flat = new float[latents.Count * _latentSize];
        for (int i = 0; i < latents.Count; i++) latents[i].CopyTo(flat, i * _latentSize);
        using var input = OrtValue.CreateTensorValueFromMemory(flat, [latents.Count, _latentSize]);
        using var run = new RunOptions();
        using var outputs = _session.Run(run, [_input], [input], _session.OutputNames);
        var clips = outputs[0].GetTensorDataAsSpan<float>();
        var result = new float[latents.Count][];
        for (int i = 0; i < latents.Count; i++) result[i] = clips.Slice(i * _clipLength, _clipLength).ToArray();
        return result;
    }

    public void Dispose() => _session.Dispose();

    /// <summary>The decoder's graph with its current weights, and the name of its input.</summary>
    internal static (byte[] Model, string Input) Build(WaveformVae model)
    {
        var config = model.Config;
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var graph = new OnnxGraph();
        using var _ = no_grad();

        string Weights(string hint, Tensor t) =>
            graph.Constant(hint, t.detach().cpu().contiguous().data<float>().ToArray(), t.shape);
        string Conv(string name, string x, long padding, long dilation = 1)
        {
            var conv = (WeightNormConv)modules[name];
            var weight = conv.Weight();
            var bias = conv.named_parameters().First(p => p.name == "bias").parameter;
            return graph.Node("Conv", [x, Weights(name, weight), Weights(name + ".bias", bias)],
                ("pads", new[] { padding, padding }), ("dilations", new[] { dilation }));
        }
        string Leaky(string x) => graph.Node("LeakyRelu", [x], ("alpha", (float)config.LeakySlope));
        string Activation(string name, string x)
        {
            if (config.DecoderActivation != Model.Activation.Snake) return Leaky(x);
            // Snake: x + sin²(αx) / (α + 1e-9), as Snake.forward.
            var alpha = modules[name].named_parameters().First(p => p.name == "alpha").parameter;
            string a = Weights(name + ".alpha", alpha);
            string sine = graph.Node("Sin", [graph.Node("Mul", [x, a])]);
            string divisor = graph.Node("Add", [a, graph.Constant("epsilon", [1e-9f], 1)]);
            return graph.Node("Add", [x, graph.Node("Div", [graph.Node("Mul", [sine, sine]), divisor])]);
        }

        string input = graph.Name("z");
        var head = (TorchSharp.Modules.Linear)modules["decoder.head"];
        string h = graph.Node("Gemm", [input, Weights("head", head.weight!), Weights("head.bias", head.bias!)],
            ("transB", 1L));
        h = graph.Node("Reshape", [h, graph.Integers("frames", -1, config.BottleneckChannels, config.Frames)]);
        h = Conv("decoder.input", h, config.KernelSize / 2);
        for (int i = config.Ratios.Length - 1; i >= 0; i--)
        {
            string stage = $"decoder.stages.{i}";
            int ratio = config.Ratios[i];
            var resample = (WeightNormConv)modules[$"{stage}.resample"];
            var bias = resample.named_parameters().First(p => p.name == "bias").parameter;
            h =
                graph.Node("ConvTranspose",
                [Leaky(h), Weights($"{stage}.resample", resample.Weight()), Weights($"{stage}.resample.bias", bias)],
                ("strides", new[] { (long)ratio }), ("pads", new[] { (long)(ratio / 2), ratio / 2 }));
            foreach (int d in config.Dilations)
            {
                string unit = $"{stage}.units.{d}";
                string y = Conv($"{unit}.dilated", Activation($"{unit}.act1", h), d * (config.KernelSize - 1) / 2, d);
                y = Conv($"{unit}.pointwise", Activation($"{unit}.act2", y), 0);
                h = graph.Node("Add", [h, y]);
            }
        }
        string output = Conv("decoder.output", Leaky(h), 3);
        string Channels(long from, long to) => graph.Node("Slice",
            [output, graph.Integers("from", from), graph.Integers("to", to), graph.Integers("axis", 1)]);
        string bands =
            graph.Node("Mul",
            [Channels(0, config.Bands), graph.Node("Sigmoid", [Channels(config.Bands, 2 * config.Bands)])]);

        string clip;
        long start = 0;
        if (model.Pqmf.SynthesisFilters is { } synthesis)
        {
            // Polyphase synthesis, as Pqmf.Synthesis: one M → M convolution, then the phases interleaved.
            long phaseTaps = synthesis.shape[^1];
            string phases = graph.Node("Conv", [bands, Weights("synthesis", synthesis)],
                ("pads", new[] { phaseTaps - 1, phaseTaps - 1 }));
            clip = graph.Node("Transpose", [phases], ("perm", new long[] { 0, 2, 1 }));
            start = (model.Pqmf.Taps - 1) / 2;
        }
        else clip = bands;
        clip = graph.Node("Reshape", [clip, graph.Integers("clip", 0, -1)]);
        clip =
            graph.Node("Slice", [clip, graph.Integers("start", start), graph.Integers("end", start + config.ClipLength),
            graph.Integers("axis", 1)]);
        return (graph.ToModel(input, config.LatentSize, clip, config.ClipLength), input);
    }
}
