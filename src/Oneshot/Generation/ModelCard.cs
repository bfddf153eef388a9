using System.Text.Json;
using Oneshot.Data;
using Oneshot.Model;
using static TorchSharp.torch;

namespace Oneshot.Generation;

/// <summary>One held-out clip a packed model was measured on: its source file and its reconstruction's log-mel L1
/// then.</summary>
public sealed record CardClip(string Source, double LogMelL1);

/// <summary>
/// card.json beside a packed model's MODEL_CARD.md: the numbers a test re-measures — the weights'
/// SHA-256 and a few held-out clips, named by their source files, with the log-mel L1 of their
/// reconstruction from the encoder's latent — so the card cannot drift from the weights.
/// </summary>
public sealed record ModelCard(string WeightsSha256, IReadOnlyList<CardClip> Clips)
{
    public const string FileName = "card.json";

    /// <summary>The log-mel L1 of each clip's reconstruction from the encoder's own latent (no refining), prepared from
    /// its source file as training prepared it.</summary>
    public static double[] Measure(ModelRunner runner, IReadOnlyList<string> sources)
    {
        var clips = sources.Select(runner.PrepareFile).ToArray();
        var reconstructions = runner.Decode(runner.Encode(clips));
        using var scope = NewDisposeScope();
        using var metrics = new ReconstructionMetrics(runner.SampleRate);
        var l1 = metrics.LogMelL1(stack(clips.Select(c => tensor(c)).ToArray()),
            stack(reconstructions.Select(r => tensor(r)).ToArray()));
        return [.. l1.data<float>().Select(v => (double)v)];
    }

    /// <summary>Measures <paramref name="count"/> test clips of <paramref name="dataDirectory"/>, evenly spread, with
    /// the model in <paramref name="modelDirectory"/>, and writes card.json there.</summary>
    public static ModelCard Write(string modelDirectory, string dataDirectory, int count)
    {
        if (count < 1) throw new OneshotException($"--check-clips {count} must be at least 1.");
        using var store = new ClipStore(dataDirectory);
        var test = store.IndicesOf("test");
        if (test.Length == 0) throw new OneshotException($"'{dataDirectory}' has no test clips to check a model on.");
        int taken = Math.Min(count, test.Length);
        var chosen = Enumerable.Range(0, taken).Select(i =>
            store.Meta[test[(int)((long)i * test.Length / taken)]].Source).ToList();
        if (chosen.FirstOrDefault(s => !File.Exists(s)) is string missing)
            throw new OneshotException($"The test clip's source '{missing}' is not there; a card names files a test " +
                $"can read again (a dataset prepared from files, not generated).");
        using var runner = new ModelRunner(modelDirectory);
        var measured = Measure(runner, chosen);
        var card = new ModelCard(ModelPackage.Sha256(Path.Combine(modelDirectory, ModelDirectory.WeightsFile)),
            [.. chosen.Zip(measured, (source, l1) => new CardClip(source, Math.Round(l1, 4)))]);
        AtomicFile.WriteAllText(Path.Combine(modelDirectory, FileName), JsonSerializer.Serialize(card, RunConfig.Json));
        return card;
    }

    public static ModelCard Read(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, FileName);
        if (!File.Exists(path))
            throw new OneshotException($"'{modelDirectory}' has no {FileName}; `oneshot pack MODEL --out DIR " +
                $"--check-data DATA` writes one.");
        try
        {
            return JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(path), RunConfig.Json)
                ?? throw new OneshotException($"'{path}' is empty.");
        }
        catch (JsonException e) { throw new OneshotException($"'{path}' is not valid: {e.Message}", e); }
    }
}
