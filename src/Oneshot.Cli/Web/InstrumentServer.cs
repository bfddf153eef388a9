using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Oneshot.Audio;
using Oneshot.Generation;
using Oneshot.Instrument;
using Oneshot.Kits;
using Oneshot.Maps;
using Oneshot.Model;

namespace Oneshot.Cli.Web;

/// <summary>
/// `oneshot play`: the instrument page and its API on 127.0.0.1. The page holds the sound and plays
/// it (Web Audio), so a key press never waits for the server; the server only decodes, encodes and
/// samples, on the model's own thread (<see cref="DecodeService"/>).
/// </summary>
public sealed class InstrumentServer : IAsyncDisposable
{
    public const long MaxUploadBytes = 32 * 1024 * 1024;
    /// <summary>Refining steps a request may ask for: 200 take about 15 s per sound on 2 cores (docs/benchmarks.md).</summary>
    public const int MaxRefineSteps = 200;
    /// <summary>How far a latent value may lie from the training latents' mean, in their standard deviations (the sliders span ±3).</summary>
    public const double MaxStandardDeviations = 50;
    readonly WebApplication _app;
    readonly DecodeService _service;
    // Encoding and refining run on a second copy of the model, so a long refine never holds up the sliders' decodes.
    readonly DecodeService _encoder;
    readonly InstrumentMap _map;
    readonly string _modelName;
    readonly string _modelHash;
    readonly int _refineSteps;
    readonly string? _dataDirectory;

    InstrumentServer(WebApplication app, DecodeService service, DecodeService encoder, InstrumentMap map, string modelName, string modelHash, int refineSteps, string? dataDirectory)
    {
        _dataDirectory = dataDirectory;
        _app = app;
        _map = map;
        _service = service;
        _encoder = encoder;
        _modelName = modelName;
        _modelHash = modelHash;
        _refineSteps = refineSteps;
    }

    public string Url { get; private set; } = "";

    /// <param name="refineSteps">Gradient steps on a dropped file's latent, as `oneshot reconstruct` takes (<see cref="LatentRefiner"/>).</param>
    /// <param name="device">Where both model copies run (`--device`); null: the CPU.</param>
    /// <param name="mapDirectory">A map from `oneshot map` for the page's map; null: the model's training clips, mapped when first asked.</param>
    /// <param name="dataDirectory">The model's dataset (training-clip map, class pads) when it is not where training left it; null: that one.</param>
    public static async Task<InstrumentServer> StartAsync(string modelDirectory, int port, int refineSteps = LatentRefiner.DefaultSteps,
        CancellationToken cancellation = default, TorchSharp.torch.Device? device = null, string? mapDirectory = null, string? dataDirectory = null)
    {
        LatentRefiner.CheckSteps(refineSteps);
        if (refineSteps > MaxRefineSteps) throw new OneshotException($"--refine {refineSteps}: the instrument refines at most {MaxRefineSteps} steps per dropped file.");
        var runner = new ModelRunner(modelDirectory, device);
        var app = LocalWebApp.Build(allInterfaces: false, port, MaxUploadBytes);
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDirectory)));
        string hash = SoundMap.HashOfModel(modelDirectory);
        var service = new DecodeService(runner);
        await service.DecodeAsync(new float[runner.LatentSize]);    // libtorch's first call is slow: pay it before the page asks
        var encoder = new DecodeService(new ModelRunner(modelDirectory, device));
        await encoder.DecodeAsync(new float[runner.LatentSize]);
        InstrumentMap map;
        try { map = InstrumentMap.Open(encoder, modelDirectory, hash, mapDirectory, dataDirectory); }
        catch (OneshotException)
        {
            service.Dispose(); runner.Dispose(); encoder.Dispose(); encoder.Runner.Dispose();
            throw;
        }
        var server = new InstrumentServer(app, service, encoder, map, name, hash, refineSteps, dataDirectory);
        server.MapRoutes(modelDirectory);
        try
        {
            server.Url = await LocalWebApp.StartAsync(app, allInterfaces: false, port, cancellation);
        }
        catch (OneshotException)
        {
            server._service.Dispose();
            runner.Dispose();
            server._encoder.Dispose();
            server._encoder.Runner.Dispose();
            throw;
        }
        return server;
    }

    void MapRoutes(string modelDirectory)
    {
        var runner = _service.Runner;
        var latent = ModelDirectory.LoadLatent(modelDirectory);
        var (lowest, highest) = LatentBounds(latent, runner.LatentSize);
        _app.MapGet("/", () => Results.Content(Page.Read("play.html"), "text/html; charset=utf-8"));

        _app.MapGet("/api/model", () => Results.Json(new
        {
            name = _modelName,
            hash = _modelHash,
            description = runner.Config.Describe(),
            latent_size = runner.LatentSize,
            sample_rate = runner.SampleRate,
            clip_length = runner.ClipLength,
            trained_prior = runner.HasTrainedPrior,
            refine_steps = _refineSteps,
            // A map to show at once; else the page offers to map the training clips (minutes on a CPU).
            map_ready = _map.Ready,
            // Principal directions of the training posterior: the page's main sliders.
            pca = latent is null ? null : new
            {
                mean = latent.Mean,
                components = latent.Components,
                std = latent.ExplainedVariance.Select(Math.Sqrt),
                share = latent.ExplainedVarianceRatio,
            },
            // Directions named for what they change, measured from the same centre as the PCA; only
            // the known names, of this model's size (latent.json is a file anyone can edit).
            controls = (latent?.Controls ?? [])
                .Where(c => NamedDescriptor.All.Any(d => d.Name == c.Name) && c.Direction.Length == runner.LatentSize && c.Direction.All(double.IsFinite) && c.Std > 0)
                .Select(c => new
                {
                    name = c.Name,
                    descriptor = c.Descriptor,
                    source = c.Source,
                    span = c.Span(),
                    direction = c.Direction,
                    std = c.Std,
                    r_squared_valid = c.RSquaredValid,
                }),
        }));

        // The body of /api/decode and /api/kit/render: {"latent": [...]} within the model's range, or the answer that says what is wrong.
        async Task<(float[]? Latent, IResult? Problem)> ReadLatent(HttpContext context)
        {
            if (!context.Request.HasJsonContentType())
                return (null, Problem(415, $"Send the latent as JSON (Content-Type: application/json): {{\"latent\": [{runner.LatentSize} numbers]}}."));
            float[]? z;
            try { z = (await context.Request.ReadFromJsonAsync<LatentBody>())?.Latent; }
            catch (Exception e) when (e is System.Text.Json.JsonException or BadHttpRequestException)
            {
                return (null, Problem(400, $"The body must be JSON {{\"latent\": [{runner.LatentSize} numbers]}}: {e.Message}"));
            }
            return CheckLatent(z, runner.LatentSize, lowest, highest) is { } error ? (null, Problem(400, error)) : (z, null);
        }

        _app.MapPost("/api/decode", async (HttpContext context) =>
        {
            var (z, problem) = await ReadLatent(context);
            if (problem is not null) return problem;
            var result = await _service.DecodeAsync(z!);
            if (result.Superseded) return Problem(409, "superseded by a newer decode request");
            context.Response.Headers["X-Decode-Ms"] = result.Milliseconds.ToString("0.0", CultureInfo.InvariantCulture);
            // A far latent can decode louder than full scale; the page gets it turned down, and told by how much.
            var (audio, gainDb) = OutputLevel.Fit(result.Audio!);
            context.Response.Headers["X-Gain-Db"] = gainDb.ToString("0.0", CultureInfo.InvariantCulture);
            return Results.Bytes(WavWriter.Encode(new AudioData(runner.SampleRate, [audio]), WavSampleFormat.Float32), "audio/wav");
        });

        // The sound map: every sound's place, class, qualities and latent; its originals one by one.
        _app.MapGet("/api/map", async () =>
        {
            InstrumentMap.Loaded loaded;
            try { loaded = await _map.GetAsync(); }
            catch (OneshotException e) { return Problem(404, e.Message); }
            var map = loaded.Map;
            return Results.Json(new
            {
                name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(loaded.Directory))),
                of_training_clips = loaded.OfTrainingClips,
                layout = map.Layout,
                mean = map.Mean,
                axes = map.Axes,
                variance_share = map.VarianceShare,
                sounds = map.Sounds.Select(s => new { name = Path.GetFileName(s.Source), source = s.Source, @class = s.Class, position = s.Layout ?? s.Pca, pca = s.Pca,
                    qualities = s.Qualities.ToDictionary(q => q.Key, q => q.Value is double v && double.IsFinite(v) ? v : (double?)null) }),
                latents = loaded.Latents,
            }, MapJson);
        });

        _app.MapGet("/api/map/sound/{index:int}", async (int index) =>
        {
            try
            {
                var clip = await _map.OriginalAsync(index);
                return Results.Bytes(WavWriter.Encode(new AudioData(runner.SampleRate, [clip]), WavSampleFormat.Float32), "audio/wav");
            }
            catch (OneshotException e) { return Problem(404, e.Message); }
        });

        // The kit: pads found one by one (a class, the prior), decoded without superseding the sliders, exported as a zip.
        _app.MapGet("/api/kit/classes", async () => Results.Json(new { classes = await _encoder.RunAsync(r => KitBuilder.TrainingClasses(r, _dataDirectory)) }));

        _app.MapPost("/api/kit/pad", async (HttpContext context) =>
        {
            string body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            try
            {
                var pad = KitDescription.ParsePad(body, "The pad");
                if (pad.File is not null) return Problem(400, "A pad from a file: drop the file on the page (it is encoded), then set the pad from the current sound.");
                var (latent, source) = await _encoder.RunAsync(r => KitBuilder.Latent(pad, r, _dataDirectory));
                return Results.Json(new { latent, source });
            }
            catch (OneshotException e) { return Problem(400, e.Message); }
        });

        _app.MapPost("/api/kit/render", async (HttpContext context) =>
        {
            var (z, problem) = await ReadLatent(context);
            if (problem is not null) return problem;
            var audio = await _encoder.RunAsync(r => r.Decode([z!])[0]);
            return Results.Bytes(WavWriter.Encode(new AudioData(runner.SampleRate, [OutputLevel.Fitted(audio)]), WavSampleFormat.Float32), "audio/wav");
        });

        _app.MapPost("/api/kit", async (HttpContext context) =>
        {
            string body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            string folder = Path.Combine(Path.GetTempPath(), $"oneshot-kit-{Guid.NewGuid():N}");
            try
            {
                var kit = KitDescription.Parse(body, "The kit");
                if (kit.Pads.Any(p => p.File is not null)) return Problem(400, "The page's kit takes latents, classes and prior draws; files go through the page's drop zone.");
                for (int i = 0; i < kit.Pads.Length; i++)
                    if (kit.Pads[i].Latent is { } z && CheckLatent(z, runner.LatentSize, lowest, highest) is { } error) return Problem(400, $"Pad {i + 1}: {error}");
                var rendered = await _encoder.RunAsync(r => KitBuilder.Render(kit, folder, r, _dataDirectory));
                KitExport.Write(rendered, Path.Combine(folder, "kit"));
                using var zip = new MemoryStream();
                System.IO.Compression.ZipFile.CreateFromDirectory(Path.Combine(folder, "kit"), zip);
                string file = new([.. kit.Name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
                context.Response.Headers.ContentDisposition = $"attachment; filename=\"{(file.Trim('-').Length > 0 ? file : "kit")}.zip\"";
                return Results.Bytes(zip.ToArray(), "application/zip");
            }
            catch (OneshotException e) { return Problem(400, e.Message); }
            finally
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            }
        });

        _app.MapPost("/api/encode", async (HttpContext context) =>
        {
            string fileName = SafeName(context.Request.Query["name"].FirstOrDefault());
            // The page asks twice: refine=0 to hear the encoder's latent at once, then the refined one.
            int refineSteps = _refineSteps;
            if (context.Request.Query["refine"].FirstOrDefault() is { } text
                && (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out refineSteps) || refineSteps < 0 || refineSteps > MaxRefineSteps))
                return Problem(400, $"refine must be a whole number of steps from 0 to {MaxRefineSteps}.");
            if (context.Request.ContentLength is > MaxUploadBytes) return Problem(413, $"'{fileName}' is larger than {MaxUploadBytes / 1024 / 1024} MB.");
            string temporary = Path.Combine(Path.GetTempPath(), $"oneshot-upload-{Guid.NewGuid():N}{SafeExtension(fileName)}");
            try
            {
                await using (var file = File.Create(temporary))
                {
                    try { await context.Request.Body.CopyToAsync(file); }
                    catch (BadHttpRequestException) { return Problem(413, $"'{fileName}' is larger than {MaxUploadBytes / 1024 / 1024} MB."); }
                }
                if (new FileInfo(temporary).Length == 0) return Problem(400, "The upload is empty.");
                var z = await _encoder.RunAsync(r => r.EncodeRefined([r.PrepareFile(temporary)], refineSteps)[0]);
                return Results.Json(new { latent = z, refine_steps = refineSteps });
            }
            catch (OneshotException e)
            {
                return Problem(422, $"'{fileName}' could not be used: {e.Message.Replace(temporary, fileName)}");
            }
            finally
            {
                File.Delete(temporary);
            }
        });

        _app.MapGet("/api/sample", async (HttpContext context) =>
        {
            var query = context.Request.Query;
            if (!TryDouble(query["temperature"], 1.0, out double temperature) || temperature < 0 || temperature > 10)
                return Problem(400, "temperature must be a number from 0 to 10.");
            if (!long.TryParse(query["seed"].FirstOrDefault() ?? "0", NumberStyles.Integer, CultureInfo.InvariantCulture, out long seed))
                return Problem(400, "seed must be an integer.");
            string prior = query["prior"].FirstOrDefault() ?? "auto";
            if (prior is not ("auto" or "trained" or "standard")) return Problem(400, "prior must be auto, trained or standard.");
            if (prior == "trained" && !runner.HasTrainedPrior) return Problem(400, "This model has no trained prior; fit one with `oneshot prior train`.");
            bool trained = prior == "trained" || (prior == "auto" && runner.HasTrainedPrior);
            var z = await _service.RunAsync(r => r.SampleLatents(1, temperature, seed, trained)[0]);
            return Results.Json(new { latent = z, prior = trained ? "trained" : "standard" });
        });
    }

    static string? CheckLatent(float[]? z, int size, double[] lowest, double[] highest)
    {
        if (z is null) return $"latent is missing: send {{\"latent\": [{size} numbers]}}.";
        if (z.Length != size) return $"latent has {z.Length} values; this model's latents have {size}.";
        if (z.Any(v => !float.IsFinite(v))) return "latent holds a value that is not a finite number.";
        for (int i = 0; i < size; i++)
            if (z[i] < lowest[i] || z[i] > highest[i])
                return string.Create(CultureInfo.InvariantCulture,
                    $"latent[{i}] = {z[i]:G4} lies outside {lowest[i]:G4} … {highest[i]:G4}: more than {MaxStandardDeviations} standard deviations from the training latents (the sliders span 3).");
        return null;
    }

    /// <summary>Per dimension, the training latents' mean ± <see cref="MaxStandardDeviations"/> of their deviations (latent.json; a deviation counts as at least 1, the prior's), else ± that many units.</summary>
    static (double[] Lowest, double[] Highest) LatentBounds(LatentStatistics? latent, int size)
    {
        if (latent is null || latent.Mean.Length != size)
            return (Enumerable.Repeat(-MaxStandardDeviations, size).ToArray(), Enumerable.Repeat(MaxStandardDeviations, size).ToArray());
        // At least 50 units: the prior N(0, I) draws there, even where the training latents barely vary (a dimension the encoder leaves unused).
        double Spread(int i) => MaxStandardDeviations * Math.Max(latent.Std[i], 1);
        return ([.. Enumerable.Range(0, size).Select(i => latent.Mean[i] - Spread(i))], [.. Enumerable.Range(0, size).Select(i => latent.Mean[i] + Spread(i))]);
    }

    /// <summary>An upload's name fit for messages: no control characters, at most 100 characters.</summary>
    static string SafeName(string? requested)
    {
        string name = Path.GetFileName(new string((requested ?? "upload.wav").Where(c => !char.IsControl(c)).ToArray()));
        return name.Length == 0 ? "upload" : name.Length > 100 ? name[..100] + "…" : name;
    }

    /// <summary>The upload's extension when it is a plausible one (letters and digits, up to 10), else none: it only helps ffmpeg guess.</summary>
    static string SafeExtension(string fileName)
    {
        string extension = Path.GetExtension(fileName);
        return extension.Length is > 1 and <= 11 && extension.Skip(1).All(char.IsAsciiLetterOrDigit) ? extension : "";
    }

    static bool TryDouble(Microsoft.Extensions.Primitives.StringValues text, double fallback, out double value)
    {
        value = fallback;
        return text.Count == 0 || double.TryParse(text[0], NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    // Qualities are null where undefined (an unpitched sound's pitch); NaN never reaches the page.
    static readonly System.Text.Json.JsonSerializerOptions MapJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    static IResult Problem(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _service.Dispose();
        _service.Runner.Dispose();
        _encoder.Dispose();
        _encoder.Runner.Dispose();
        _map.Dispose();
    }

    sealed record LatentBody(float[]? Latent);
}
