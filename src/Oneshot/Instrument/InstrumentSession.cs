using System.Globalization;
using System.IO.Compression;
using Oneshot.Audio;
using Oneshot.Generation;
using Oneshot.Kits;
using Oneshot.Maps;
using Oneshot.Model;
using TorchSharp;

namespace Oneshot.Instrument;

/// <summary>A decoded sound at the instrument's output level: turned down by <paramref name="GainDb"/> when it would
/// clip.</summary>
public sealed record InstrumentSound(float[] Audio, double GainDb, double Milliseconds);

/// <summary>
/// Everything `oneshot play` holds for one model, apart from HTTP: two copies of the model (one for
/// the sliders' decodes and prior draws, one for encoding, refining, kits and the map, so a long
/// refine never holds up a slider), latent.json and the range a latent may take, the sound map and
/// the kit export. Every method checks its input and throws <see cref="OneshotException"/> with a
/// message fit to show the person playing.
/// </summary>
public sealed class InstrumentSession : IDisposable
{
    /// <summary>Refining steps a request may ask for: 200 take about 15 s per sound on 2 cores
    /// (docs/benchmarks.md).</summary>
    public const int MaxRefineSteps = 200;
    /// <summary>How far a latent value may lie from the training latents' mean, in their standard deviations (the
    /// sliders span ±3).</summary>
    public const double MaxStandardDeviations = 50;

    readonly DecodeService _sounds;
    readonly DecodeService _encoder;
    readonly double[] _lowest, _highest;
    readonly string? _dataDirectory;

    InstrumentSession(string modelDirectory, DecodeService sounds, DecodeService encoder, InstrumentMap map,
        LatentStatistics? latent, int refineSteps, string? dataDirectory)
    {
        _sounds = sounds;
        _encoder = encoder;
        Map = map;
        RefineSteps = refineSteps;
        _dataDirectory = dataDirectory;
        ModelName = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDirectory)));
        ModelHash = map.ModelHash;
        Latent = latent;
        (_lowest, _highest) = LatentBounds(Latent, Runner.LatentSize);
        // Only the known names, of this model's size: latent.json is a file anyone can edit.
        Controls =
            [.. (Latent?.Controls ?? []).Where(c => NamedDescriptor.All.Any(d => d.Name == c.Name)
            && c.Direction.Length == Runner.LatentSize
                                                          && c.Direction.All(double.IsFinite) && c.Std > 0)];
    }

    /// <param name="refineSteps">Gradient steps on a dropped file's latent, as `oneshot reconstruct` takes
    /// (<see cref="LatentRefiner"/>).</param>
    /// <param name="device">Where both model copies run; null: the CPU.</param>
    /// <param name="mapDirectory">A map from `oneshot map`; null: the model's training clips, mapped when first
    /// asked.</param>
    /// <param name="dataDirectory">The model's dataset (training-clip map, class pads) when it is not where training
    /// left it; null: that one.</param>
    public static async Task<InstrumentSession> OpenAsync(string modelDirectory,
        int refineSteps = LatentRefiner.DefaultSteps,
        torch.Device? device = null, string? mapDirectory = null, string? dataDirectory = null)
    {
        LatentRefiner.CheckSteps(refineSteps);
        if (refineSteps > MaxRefineSteps)
            throw new OneshotException($"--refine {refineSteps}: the instrument refines at most {MaxRefineSteps} " +
                $"steps per dropped file.");
        DecodeService? sounds = null, encoder = null;
        InstrumentMap? map = null;
        try
        {
            var latent = ModelDirectory.LoadLatent(modelDirectory);
            sounds = new DecodeService(new ModelRunner(modelDirectory, device));
            // libtorch's first call is slow: pay it before the page asks
            await sounds.DecodeAsync(new float[sounds.Runner.LatentSize]);
            encoder = new DecodeService(new ModelRunner(modelDirectory, device));
            await encoder.DecodeAsync(new float[encoder.Runner.LatentSize]);
            map = InstrumentMap.Open(encoder, modelDirectory, SoundMap.HashOfModel(modelDirectory), mapDirectory,
                dataDirectory);
            return new InstrumentSession(modelDirectory, sounds, encoder, map, latent, refineSteps, dataDirectory);
        }
        catch
        {
            map?.Dispose();
            Close(sounds);
            Close(encoder);
            throw;
        }
    }

    /// <summary>The copy that decodes the sliders' sounds and draws from the prior.</summary>
    public ModelRunner Runner => _sounds.Runner;
    public string ModelName { get; }
    /// <summary>The weights' hash: a map belongs to the weights that made it.</summary>
    public string ModelHash { get; }
    public int RefineSteps { get; }
    /// <summary>latent.json (principal directions, named controls); null when the model has none.</summary>
    public LatentStatistics? Latent { get; }
    /// <summary>The named directions the page may show: known names, right size, finite.</summary>
    public IReadOnlyList<NamedControl> Controls { get; }
    public InstrumentMap Map { get; }

    /// <summary>The page's "map a folder": a folder of the user's sounds mapped in place of the current map, kept in
    /// the user's cache (maps/) so mapping it again later is quick.</summary>
    public void MapFolder(string folder) => Map.MapFolder(folder, Storage.UserCache.Folder("maps"));

    /// <summary>Null when <paramref name="z"/> is a latent of this model within <see cref="MaxStandardDeviations"/> of
    /// the training latents; else what is wrong.</summary>
    public string? CheckLatent(float[]? z)
    {
        int size = Runner.LatentSize;
        if (z is null) return $"latent is missing: send {{\"latent\": [{size} numbers]}}.";
        if (z.Length != size) return $"latent has {z.Length} values; this model's latents have {size}.";
        if (z.Any(v => !float.IsFinite(v))) return "latent holds a value that is not a finite number.";
        for (int i = 0; i < size; i++)
            if (z[i] < _lowest[i] || z[i] > _highest[i])
                return string.Create(CultureInfo.InvariantCulture,
                    $"latent[{i}] = {z[i]:G4} lies outside {_lowest[i]:G4} … {_highest[i]:G4}: more than " +
                        $"{MaxStandardDeviations} standard deviations from the training latents (the sliders span 3).");
        return null;
    }

    /// <summary>The sliders' sound: latest request wins, so null when a newer decode replaced this one before it
    /// ran.</summary>
    public async Task<InstrumentSound?> DecodeAsync(float[] z)
    {
        Check(z);
        var result = await _sounds.DecodeAsync(z);
        if (result.Superseded) return null;
        // A far latent can decode louder than full scale: turned down, and the page told by how much.
        var (audio, gainDb) = OutputLevel.Fit(result.Audio!);
        return new InstrumentSound(audio, gainDb, result.Milliseconds);
    }

    /// <summary>A draw from the trained prior ("trained"), N(0, I) ("standard"), or the trained one when the model has
    /// it ("auto").</summary>
    public async Task<(float[] Latent, bool Trained)> SampleAsync(double temperature, long seed, string prior)
    {
        if (!(temperature is >= 0 and <= 10)) throw new OneshotException("temperature must be a number from 0 to 10.");
        if (prior is not ("auto" or "trained" or "standard"))
            throw new OneshotException("prior must be auto, trained or standard.");
        if (prior == "trained" && !Runner.HasTrainedPrior)
            throw new OneshotException("This model has no trained prior; fit one with `oneshot prior train`.");
        bool trained = prior == "trained" || (prior == "auto" && Runner.HasTrainedPrior);
        var z = await _sounds.RunAsync(r => r.SampleLatents(1, temperature, seed, trained)[0]);
        return (z, trained);
    }

    /// <summary>
    /// A dropped file's latent, refined by <paramref name="refineSteps"/> steps. <paramref name="writeUpload"/> writes
    /// the file's bytes to the stream it is given (a temporary file, deleted after); <paramref name="fileName"/> names
    /// it in messages.
    /// </summary>
    public async Task<float[]> EncodeUploadAsync(Func<Stream, Task> writeUpload, string fileName, int refineSteps)
    {
        if (refineSteps < 0 || refineSteps > MaxRefineSteps)
            throw new OneshotException($"refine must be a whole number of steps from 0 to {MaxRefineSteps}.");
        string temporary = Path.Combine(Path.GetTempPath(),
            $"oneshot-upload-{Guid.NewGuid():N}{SafeExtension(fileName)}");
        try
        {
            await using (var file = File.Create(temporary)) await writeUpload(file);
            if (new FileInfo(temporary).Length == 0) throw new OneshotException("The upload is empty.");
            try { return await _encoder.RunAsync(r => r.EncodeRefined([r.PrepareFile(temporary)], refineSteps)[0]); }
            catch (OneshotException e)
            {
                throw new UnusableFileException($"'{fileName}' could not be used: " +
                    $"{e.Message.Replace(temporary, fileName)}");
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The classes a kit pad may ask for: those of the model's training clips.</summary>
    public Task<string[]> TrainingClassesAsync() =>
        _encoder.RunAsync(r => KitBuilder.TrainingClasses(r, _dataDirectory));

    /// <summary>One pad of a kit description (a class or a prior draw; files go through
    /// <see cref="EncodeUploadAsync"/>), found as `oneshot kit` finds it.</summary>
    public Task<(float[] Latent, string Source)> FindPadAsync(string padJson)
    {
        var pad = KitDescription.ParsePad(padJson, "The pad");
        if (pad.File is not null)
            throw new OneshotException("A pad from a file: drop the file on the page (it is encoded), then set the " +
                "pad from the current sound.");
        return _encoder.RunAsync(r => KitBuilder.Latent(pad, r, _dataDirectory));
    }

    /// <summary>A pad's sound at the output level, decoded on the encoder's copy so the sliders are never superseded by
    /// it.</summary>
    public async Task<float[]> RenderPadAsync(float[] z)
    {
        Check(z);
        return OutputLevel.Fitted(await _encoder.RunAsync(r => r.Decode([z])[0]));
    }

    /// <summary>
    /// A pad's round robins or velocity layers, as `oneshot kit` makes them from a pad description
    /// with a latent: the pad's latent then its neighbours (<see cref="KitBuilder.Neighbours"/>), and
    /// each one's velocity range (all 0–127 for round robins).
    /// </summary>
    public async Task<(float[][] Latents, (int Low, int High)[] Velocities)> PadVariationsAsync(string padJson)
    {
        var pad = KitDescription.ParsePad(padJson, "The pad");
        if (pad.Latent is not { } z) throw new OneshotException("The pad's variations start from its \"latent\".");
        Check(z);
        float[][] latents =
            [z, .. KitBuilder.Neighbours(z, pad.Variations - 1, pad.VariationDistance, pad.Seed, Latent?.Std)];
        if (!pad.VelocityLayers || latents.Length == 1) return (latents, [.. latents.Select(_ => (0, 127))]);
        var audio = await _encoder.RunAsync(r => r.Decode(latents));
        var rendered = new RenderedPad("", KitDescription.FirstNote, audio[0], 0, "", z)
            { Variations = audio[1..], VelocityLayers = true };
        return (latents, rendered.VelocityRanges(Runner.SampleRate));
    }

    /// <summary>A kit description rendered as `oneshot kit` renders it, zipped: the bytes and a file name made from the
    /// kit's name.</summary>
    public async Task<(byte[] Zip, string FileName)> ExportKitAsync(string kitJson)
    {
        var kit = KitDescription.Parse(kitJson, "The kit");
        if (kit.Pads.Any(p => p.File is not null))
            throw new OneshotException("The page's kit takes latents, classes and prior draws; files go through the " +
                "page's drop zone.");
        for (int i = 0; i < kit.Pads.Length; i++)
            if (kit.Pads[i].Latent is { } z && CheckLatent(z) is { } error)
                throw new OneshotException($"Pad {i + 1}: {error}");
        string folder = Path.Combine(Path.GetTempPath(), $"oneshot-kit-{Guid.NewGuid():N}");
        try
        {
            var rendered = await _encoder.RunAsync(r => KitBuilder.Render(kit, folder, r, _dataDirectory));
            KitExport.Write(rendered, Path.Combine(folder, "kit"));
            using var zip = new MemoryStream();
            ZipFile.CreateFromDirectory(Path.Combine(folder, "kit"), zip);
            string file =
                new string([.. kit.Name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')])
                .Trim('-');
            return (zip.ToArray(), (file.Length > 0 ? file : "kit") + ".zip");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    void Check(float[] z)
    {
        if (CheckLatent(z) is { } error) throw new OneshotException(error);
    }

    /// <summary>Per dimension, the training latents' mean ± <see cref="MaxStandardDeviations"/> of their deviations
    /// (latent.json; a deviation counts as at least 1, the prior's), else ± that many units.</summary>
    static (double[] Lowest, double[] Highest) LatentBounds(LatentStatistics? latent, int size)
    {
        if (latent is null || latent.Mean.Length != size)
            return (Enumerable.Repeat(-MaxStandardDeviations, size).ToArray(),
                Enumerable.Repeat(MaxStandardDeviations, size).ToArray());
        // At least 50 units: the prior N(0, I) draws there, even where the training latents barely vary (a dimension
        // the encoder leaves unused).
        double Spread(int i) => MaxStandardDeviations * Math.Max(latent.Std[i], 1);
        return ([.. Enumerable.Range(0, size).Select(i => latent.Mean[i] - Spread(i))],
            [.. Enumerable.Range(0, size).Select(i => latent.Mean[i] + Spread(i))]);
    }

    /// <summary>The upload's extension when it is a plausible one (letters and digits, up to 10), else none: it only
    /// helps ffmpeg guess.</summary>
    static string SafeExtension(string fileName)
    {
        string extension = Path.GetExtension(fileName);
        return extension.Length is > 1 and <= 11 && extension.Skip(1).All(char.IsAsciiLetterOrDigit) ? extension : "";
    }

    static void Close(DecodeService? service)
    {
        if (service is null) return;
        service.Dispose();
        service.Runner.Dispose();
    }

    public void Dispose()
    {
        Close(_sounds);
        Close(_encoder);
        Map.Dispose();
    }
}

/// <summary>A dropped file that is not audio the model can take (the request was well formed; the file was
/// not).</summary>
public sealed class UnusableFileException(string message) : OneshotException(message);
