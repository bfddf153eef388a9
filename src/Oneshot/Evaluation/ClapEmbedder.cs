using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace Oneshot.Evaluation;

/// <summary>
/// A LAION-CLAP audio encoder exported to ONNX (e.g. the community export of
/// laion/clap-htsat-unfused): input `input_features` [batch, 1, 1001, 64] from
/// <see cref="ClapFrontEnd"/>, output `audio_embeds` [batch, D], L2-normalised here. The names and
/// shapes are checked when the model is opened, so a different export fails with a clear message
/// instead of producing numbers.
/// </summary>
public sealed class ClapEmbedder : IAudioEmbedder
{
    public const string InputName = "input_features";
    public const string OutputName = "audio_embeds";
    const int BatchSize = 8;
    readonly InferenceSession _session;
    readonly ClapFrontEnd _frontEnd = new();

    public ClapEmbedder(string modelPath, int threads = 0)
    {
        if (!File.Exists(modelPath))
            throw new OneshotException($"--clap '{modelPath}' does not exist; point it at an ONNX export of a " +
                $"LAION-CLAP audio encoder.");
        var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        if (threads > 0) options.IntraOpNumThreads = threads;
        try
        {
            _session = new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OneshotException($"--clap '{modelPath}' could not be opened as an ONNX model: {e.Message}", e);
        }
        Dimensions = CheckSignature(_session, modelPath);
        string fileName = Path.GetFileName(modelPath);
        Name = $"clap ({fileName})";
        Identity = $"clap-{HashFile(modelPath)}";
    }

    public string Name { get; }
    public string Identity { get; }
    public int Dimensions { get; }

    static int CheckSignature(InferenceSession session, string path)
    {
        static string Describe(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
            string.Join(", ",
                nodes.Select(n => $"{n.Key} [{string.Join(", ", n.Value.Dimensions)}] {n.Value.ElementType.Name}"));
        string expected = $"input '{InputName}' [batch, 1, {ClapFrontEnd.Frames}, {ClapFrontEnd.Mels}] float and " +
            $"output '{OutputName}' [batch, D] float";
        if (!session.InputMetadata.TryGetValue(InputName, out var input)
            || !session.OutputMetadata.TryGetValue(OutputName, out var output))
            throw new OneshotException($"--clap '{path}' is not a CLAP audio encoder export: it needs {expected}; it " +
                $"has inputs {Describe(session.InputMetadata)} and outputs {Describe(session.OutputMetadata)}.");
        var d = input.Dimensions;
        static bool Fits(int actual, int wanted) => actual == wanted || actual < 0; // < 0: a dynamic axis
        bool inputOk = input.ElementType == typeof(float) && d.Length == 4 && Fits(d[1], 1)
            && Fits(d[2], ClapFrontEnd.Frames) && Fits(d[3], ClapFrontEnd.Mels);
        var o = output.Dimensions;
        bool outputOk = output.ElementType == typeof(float) && o.Length == 2 && o[1] > 0;
        if (!inputOk || !outputOk)
            throw new OneshotException($"--clap '{path}' has the wrong shapes: it needs {expected}; it has inputs " +
                $"{Describe(session.InputMetadata)} and outputs {Describe(session.OutputMetadata)}.");
        return o[1];
    }

    public EmbeddingMatrix Embed(IReadOnlyList<float[]> clips, int sampleRate)
    {
        var values = new double[clips.Count * Dimensions];
        for (int start = 0; start < clips.Count; start += BatchSize)
        {
            var batch = clips.Skip(start).Take(BatchSize).ToList();
            float[] features;
            using (var scope = NewDisposeScope())
                features = _frontEnd.Features(batch, sampleRate).data<float>().ToArray();
            var input = new DenseTensor<float>(features, [batch.Count, 1, ClapFrontEnd.Frames, ClapFrontEnd.Mels]);
            using var results = _session.Run([NamedOnnxValue.CreateFromTensor(InputName, input)], [OutputName]);
            var embeds = results.First().AsTensor<float>();
            if (embeds.Dimensions.Length != 2 || embeds.Dimensions[0] != batch.Count
                || embeds.Dimensions[1] != Dimensions)
                throw new OneshotException($"The CLAP model returned shape " +
                    $"[{string.Join(", ", embeds.Dimensions.ToArray())}] for {batch.Count} clips; expected " +
                    $"[{batch.Count}, {Dimensions}].");
            for (int i = 0; i < batch.Count; i++)
            {
                double norm = 0;
                for (int j = 0; j < Dimensions; j++) norm += (double)embeds[i, j] * embeds[i, j];
                norm = Math.Sqrt(norm);
                if (!(norm > 0) || !double.IsFinite(norm))
                    throw new OneshotException($"The CLAP model returned an embedding of norm {norm} for clip " +
                        $"{start + i}.");
                for (int j = 0; j < Dimensions; j++) values[(start + i) * Dimensions + j] = embeds[i, j] / norm;
            }
        }
        return new EmbeddingMatrix(values, clips.Count, Dimensions);
    }

    static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..16];
    }

    public void Dispose()
    {
        _session.Dispose();
        _frontEnd.Dispose();
    }
}
