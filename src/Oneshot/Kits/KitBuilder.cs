using Oneshot.Audio;
using Oneshot.Data;
using Oneshot.Generation;
using Oneshot.Model;

namespace Oneshot.Kits;

/// <summary>A pad made: its sound at the model's rate, the MIDI note it plays on, where it came from, and the latent,
/// tune and level that made it.</summary>
public sealed record RenderedPad(string Name, int Note, float[] Audio, int Choke, string Source, float[] Latent,
    double Tune = 0, double LevelDb = 0)
{
    /// <summary>The pad's round robins or velocity layers after its own sound
    /// (<see cref="PadDescription.Variations"/>); empty: none.</summary>
    public IReadOnlyList<float[]> Variations { get; init; } = [];
    public double VariationDistance { get; init; } = KitBuilder.DefaultVariationDistance;
    public bool VelocityLayers { get; init; }
    /// <summary>The seed the neighbours were drawn with (the pad's), so kit.json draws them again.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The pad's own sound, then its variations.</summary>
    public IReadOnlyList<float[]> Sounds => [Audio, .. Variations];

    /// <summary>
    /// Each sound's MIDI velocity range when the variations are velocity layers: the 128 velocities
    /// shared evenly, the dullest sound (lowest spectral centroid) softest, as a drum hit harder is
    /// brighter; otherwise every sound spans 0–127.
    /// </summary>
    public (int Low, int High)[] VelocityRanges(int sampleRate)
    {
        int count = Sounds.Count;
        if (!VelocityLayers || count == 1) return [.. Enumerable.Repeat((0, 127), count)];
        var byBrightness = Enumerable.Range(0, count).OrderBy(i =>
            Descriptors.Spectral(Sounds[i], sampleRate).CentroidHz).ToArray();
        var ranges = new (int, int)[count];
        for (int rank = 0; rank < count; rank++)
            ranges[byBrightness[rank]] = (rank * 128 / count, (rank + 1) * 128 / count - 1);
        return ranges;
    }
}

public sealed record RenderedKit(string Name, int SampleRate, IReadOnlyList<RenderedPad> Pads)
{
    /// <summary>Whether the pads were normalised (<see cref="KitDescription.Normalize"/>), so kit.json makes them so
    /// again.</summary>
    public bool Normalize { get; init; }
}

/// <summary>Makes a kit's pads with a model: each pad's latent found, decoded, retuned and levelled.</summary>
public static class KitBuilder
{
    /// <summary>Class pads: the default step away from the chosen training clip, as a share of the training latents'
    /// spread.</summary>
    public const double DefaultClassStep = 0.3;
    /// <summary>Round robins and velocity layers: how far a pad's neighbours lie, as a share of the training spread;
    /// near enough to be the same drum.</summary>
    public const double DefaultVariationDistance = 0.15;

    /// <param name="descriptionFolder">Pad files are relative to the kit description's folder.</param>
    /// <param name="dataDirectory">For class pads: the model's dataset; null: the one it was trained on.</param>
    public static RenderedKit Render(KitDescription kit, string descriptionFolder, ModelRunner runner,
        string? dataDirectory = null)
    {
        var latents = new List<float[]>();
        var sources = new List<string>();
        ClipStore? store = null;
        try
        {
            for (int i = 0; i < kit.Pads.Length; i++)
            {
                var (latent, source) = FindLatent(kit.Pads[i], i, descriptionFolder, runner,
                    () => store ??= OpenDataset(runner, dataDirectory));
                latents.Add(latent);
                sources.Add(source);
            }
        }
        finally
        {
            store?.Dispose();
        }
        var spread = ModelDirectory.LoadLatent(runner.Directory)?.Std;
        var neighbours =
            kit.Pads.Select((pad, i) =>
            Neighbours(latents[i], pad.Variations - 1, pad.VariationDistance, pad.Seed, spread)).ToList();
        var audio = runner.Decode([.. latents, .. neighbours.SelectMany(n => n)]);
        int next = latents.Count;
        var pads = kit.Pads.Select((pad, i) => new RenderedPad(
            pad.Name ?? $"pad-{i + 1:D2}", KitDescription.FirstNote + i,
                Shape(audio[i], runner.SampleRate, pad, kit.Normalize), pad.Choke, sources[i], latents[i], pad.Tune,
                pad.LevelDb)
        {
            Variations = [.. neighbours[i].Select(_ => Shape(audio[next++], runner.SampleRate, pad, kit.Normalize))],
            VariationDistance = pad.VariationDistance,
            VelocityLayers = pad.VelocityLayers,
            Seed = pad.Seed,
        }).ToList();
        return new RenderedKit(kit.Name, runner.SampleRate, pads) { Normalize = kit.Normalize };
    }

    /// <summary>
    /// A pad's neighbours for round robins: z plus distance × spread ⊙ g, with g a standard Gaussian
    /// drawn from the seed, the latent itself and the neighbour's number, so a kit.json makes the same
    /// neighbours again and two pads of one seed do not step in the same directions.
    /// </summary>
    /// <param name="spread">The training latents' standard deviation per dimension (latent.json); null: 1.</param>
    public static List<float[]> Neighbours(float[] z, int count, double distance, int seed, double[]? spread)
    {
        var neighbours = new List<float[]>(count);
        long latentHash = z.Aggregate(17L, (hash, v) => hash * 31 + BitConverter.SingleToInt32Bits(v));
        for (int k = 1; k <= count; k++)
        {
            var random = new Random(Seeds.MixInt(seed, 0x7A21, latentHash, k));
            var neighbour = (float[])z.Clone();
            for (int d = 0; d < z.Length; d++)
            {
                double gaussian =
                    Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                neighbour[d] += (float)(distance * (spread?[d] ?? 1) * gaussian);
            }
            neighbours.Add(neighbour);
        }
        return neighbours;
    }

    /// <summary>One pad's latent and where it came from (the instrument's kit asks pad by pad).</summary>
    public static (float[] Latent, string Source) Latent(PadDescription pad, ModelRunner runner,
        string? dataDirectory = null)
    {
        ClipStore? store = null;
        try
        {
            return FindLatent(pad, 0, Directory.GetCurrentDirectory(), runner,
                () => store ??= OpenDataset(runner, dataDirectory));
        }
        finally { store?.Dispose(); }
    }

    static (float[] Latent, string Source) FindLatent(PadDescription pad, int index, string descriptionFolder,
        ModelRunner runner, Func<ClipStore> dataset) => pad switch
    {
        // a reopened kit.json keeps each pad's origin
        { Latent: { } z } => (CheckLatent(z, runner, index), pad.Source ?? "latent"),
        { File: { } file } => FromFile(Path.Combine(descriptionFolder, file), runner),
        { Class: { } name } => FromClass(name, pad, runner, dataset()),
        _ => (runner.SampleLatents(1, pad.Temperature ?? 1, pad.Seed, runner.HasTrainedPrior)[0],
              $"{(runner.HasTrainedPrior ? "trained" : "N(0, I)")} prior, seed {pad.Seed}"),
    };

    /// <summary>The classes of the model's training clips, for "a kick" on the instrument's kit (none when the dataset
    /// is not there).</summary>
    public static string[] TrainingClasses(ModelRunner runner, string? dataDirectory = null)
    {
        if (ModelDataset.Find(runner.Config, dataDirectory) is not { } dataset) return [];
        using var store = new ClipStore(dataset.Directory);
        return [.. store.IndicesOf("train").Select(i => store.Meta[i].TextLabel("class")).OfType<string>().Distinct()
            .Order(StringComparer.Ordinal)];
    }

    static float[] CheckLatent(float[] z, ModelRunner runner, int pad)
    {
        if (z.Length != runner.LatentSize)
            throw new OneshotException($"Pad {pad + 1}: the latent has {z.Length} values; this model's have " +
                $"{runner.LatentSize}.");
        return z;
    }

    static (float[], string) FromFile(string path, ModelRunner runner)
    {
        if (!File.Exists(path))
            throw new OneshotException($"Pad file '{path}' does not exist (pad files are relative to the kit " +
                $"description).");
        return (runner.Encode([runner.PrepareFile(path)])[0], path);
    }

    /// <summary>A training clip of the class, chosen by the seed, and a seeded step away from it (the pad's temperature
    /// × the training spread).</summary>
    static (float[], string) FromClass(string name, PadDescription pad, ModelRunner runner, ClipStore store)
    {
        var train = store.IndicesOf("train");
        var ofClass = train.Where(i => store.Meta[i].TextLabel("class") == name).ToArray();
        if (ofClass.Length == 0)
        {
            var known = train.Select(i => store.Meta[i].TextLabel("class")).OfType<string>().Distinct()
                .Order(StringComparer.Ordinal);
            throw new OneshotException($"No training clip of class '{name}' in '{store.Directory}'; its classes: " +
                $"{string.Join(", ", known)}.");
        }
        var random = new Random(pad.Seed);
        int chosen = ofClass[random.Next(ofClass.Length)];
        var z = runner.Encode([store.Read(chosen)])[0];
        var spread = ModelDirectory.LoadLatent(runner.Directory)?.Std;
        double step = pad.Temperature ?? DefaultClassStep;
        for (int d = 0; d < z.Length; d++)
        {
            double gaussian =
                Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            z[d] += (float)(step * (spread?[d] ?? 1) * gaussian);
        }
        return (z, $"near training clip {store.Meta[chosen].Id} ({name}), seed {pad.Seed}");
    }

    static ClipStore OpenDataset(ModelRunner runner, string? dataDirectory) =>
        new(ModelDataset.Require(runner.Config, dataDirectory, "Class pads choose among the training clips").Directory);

    /// <summary>Retuned (as a sampler does), normalised if asked, levelled, brought under the output ceiling if the
    /// level pushed it over (<see cref="OutputLevel"/>), its silent tail cut (<see cref="PadTail"/>).</summary>
    static float[] Shape(float[] audio, int sampleRate, PadDescription pad, bool normalize)
    {
        var shaped = pad.Tune == 0 ? (float[])audio.Clone()
            : Retuning.Retune(audio, sampleRate, pad.Tune, ResamplingKernel.Precise);
        double peak = shaped.Length == 0 ? 0 : shaped.Max(v => Math.Abs(v));
        double toPeak = normalize && peak > 0 && double.IsFinite(peak)
            ? Loudness.DbToAmplitude(KitDescription.NormalizedPeakDb) / peak : 1;
        float gain = (float)(toPeak * Loudness.DbToAmplitude(pad.LevelDb));
        for (int i = 0; i < shaped.Length; i++) shaped[i] *= gain;
        return PadTail.Trimmed(OutputLevel.Fitted(shaped), sampleRate);
    }
}
