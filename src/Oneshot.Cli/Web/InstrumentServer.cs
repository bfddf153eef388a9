using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Oneshot.Audio;
using Oneshot.Generation;
using Oneshot.Instrument;

namespace Oneshot.Cli.Web;

/// <summary>
/// `oneshot play`: the instrument page and its API on 127.0.0.1, routing only — the model, the
/// latent range, the map and the kit live in <see cref="InstrumentSession"/>. The page holds the
/// sound and plays it (Web Audio), so a key press never waits for the server.
/// </summary>
public sealed class InstrumentServer : IAsyncDisposable
{
    public const long MaxUploadBytes = 32 * 1024 * 1024;
    public const int MaxRefineSteps = InstrumentSession.MaxRefineSteps;
    readonly WebApplication _app;
    readonly InstrumentSession _session;

    InstrumentServer(WebApplication app, InstrumentSession session) => (_app, _session) = (app, session);

    public string Url { get; private set; } = "";

    /// <summary>Opens the model (<see cref="InstrumentSession.OpenAsync"/>, whose parameters these are) and serves it on <paramref name="port"/> (0: any free one).</summary>
    public static async Task<InstrumentServer> StartAsync(string modelDirectory, int port, int refineSteps = LatentRefiner.DefaultSteps,
        CancellationToken cancellation = default, TorchSharp.torch.Device? device = null, string? mapDirectory = null, string? dataDirectory = null)
    {
        var session = await InstrumentSession.OpenAsync(modelDirectory, refineSteps, device, mapDirectory, dataDirectory);
        var server = new InstrumentServer(LocalWebApp.Build(allInterfaces: false, port, MaxUploadBytes), session);
        server.MapRoutes();
        try
        {
            server.Url = await LocalWebApp.StartAsync(server._app, allInterfaces: false, port, cancellation);
        }
        catch
        {
            try { await server._app.DisposeAsync(); } catch (ObjectDisposedException) { }   // a busy port has disposed it already
            session.Dispose();
            throw;
        }
        return server;
    }

    void MapRoutes()
    {
        var session = _session;
        var runner = session.Runner;
        var latent = session.Latent;
        _app.MapGet("/", () => Results.Content(Page.Read("play.html"), "text/html; charset=utf-8"));
        _app.MapGet("/sequencer.js", () => Results.Content(Page.Read("sequencer.js"), "text/javascript; charset=utf-8"));

        _app.MapGet("/api/model", () => Results.Json(new
        {
            name = session.ModelName,
            hash = session.ModelHash,
            description = runner.Config.Describe(),
            latent_size = runner.LatentSize,
            sample_rate = runner.SampleRate,
            clip_length = runner.ClipLength,
            trained_prior = runner.HasTrainedPrior,
            refine_steps = session.RefineSteps,
            // The peak every sound leaves at (OutputLevel): the page's rendered loop keeps to it too.
            output_ceiling = OutputLevel.Ceiling,
            // A map to show at once; else the page offers to map the training clips (minutes on a CPU).
            map_ready = session.Map.Ready,
            // Principal directions of the training posterior: the page's main sliders.
            pca = latent is null ? null : new
            {
                mean = latent.Mean,
                components = latent.Components,
                std = latent.ExplainedVariance.Select(Math.Sqrt),
                share = latent.ExplainedVarianceRatio,
            },
            // Directions named for what they change, measured from the same centre as the PCA.
            controls = session.Controls.Select(c => new
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

        _app.MapPost("/api/decode", async (HttpContext context) =>
        {
            var (z, problem) = await ReadLatent(context);
            if (problem is not null) return problem;
            var sound = await session.DecodeAsync(z!);
            if (sound is null) return Problem(409, "superseded by a newer decode request");
            context.Response.Headers["X-Decode-Ms"] = sound.Milliseconds.ToString("0.0", CultureInfo.InvariantCulture);
            context.Response.Headers["X-Gain-Db"] = sound.GainDb.ToString("0.0", CultureInfo.InvariantCulture);
            return Wav(sound.Audio);
        });

        // The sound map: every sound's place, class, qualities and latent; its originals one by one.
        _app.MapGet("/api/map", async () =>
        {
            InstrumentMap.Loaded loaded;
            try { loaded = await session.Map.GetAsync(); }
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
            try { return Wav(await session.Map.OriginalAsync(index)); }
            catch (OneshotException e) { return Problem(404, e.Message); }
        });

        // The kit: pads found one by one (a class, the prior), decoded without superseding the sliders, exported as a zip.
        _app.MapGet("/api/kit/classes", async () => Results.Json(new { classes = await session.TrainingClassesAsync() }));

        _app.MapPost("/api/kit/pad", async (HttpContext context) =>
        {
            var (text, tooLarge) = await ReadText(context);
            if (tooLarge is not null) return tooLarge;
            try
            {
                var (latent, source) = await session.FindPadAsync(text!);
                return Results.Json(new { latent, source });
            }
            catch (OneshotException e) { return Problem(400, e.Message); }
        });

        _app.MapPost("/api/kit/render", async (HttpContext context) =>
        {
            var (z, problem) = await ReadLatent(context);
            return problem ?? Wav(await session.RenderPadAsync(z!));
        });

        _app.MapPost("/api/kit", async (HttpContext context) =>
        {
            var (text, tooLarge) = await ReadText(context);
            if (tooLarge is not null) return tooLarge;
            try
            {
                var (zip, fileName) = await session.ExportKitAsync(text!);
                context.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
                return Results.Bytes(zip, "application/zip");
            }
            catch (OneshotException e) { return Problem(400, e.Message); }
        });

        _app.MapPost("/api/encode", async (HttpContext context) =>
        {
            string fileName = SafeName(context.Request.Query["name"].FirstOrDefault());
            // The page asks twice: refine=0 to hear the encoder's latent at once, then the refined one.
            int refineSteps = session.RefineSteps;
            if (context.Request.Query["refine"].FirstOrDefault() is { } text && !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out refineSteps))
                return Problem(400, $"refine must be a whole number of steps from 0 to {MaxRefineSteps}.");
            string tooLarge = $"'{fileName}' is larger than {MaxUploadBytes / 1024 / 1024} MB.";
            if (context.Request.ContentLength is > MaxUploadBytes) return Problem(413, tooLarge);
            try
            {
                var z = await session.EncodeUploadAsync(file => context.Request.Body.CopyToAsync(file), fileName, refineSteps);
                return Results.Json(new { latent = z, refine_steps = refineSteps });
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { return Problem(413, tooLarge); }
            catch (UnusableFileException e) { return Problem(422, e.Message); }
            catch (OneshotException e) { return Problem(400, e.Message); }
        });

        _app.MapGet("/api/sample", async (HttpContext context) =>
        {
            var query = context.Request.Query;
            if (!TryDouble(query["temperature"], 1.0, out double temperature)) return Problem(400, "temperature must be a number from 0 to 10.");
            if (!long.TryParse(query["seed"].FirstOrDefault() ?? "0", NumberStyles.Integer, CultureInfo.InvariantCulture, out long seed))
                return Problem(400, "seed must be an integer.");
            try
            {
                var (z, trained) = await session.SampleAsync(temperature, seed, query["prior"].FirstOrDefault() ?? "auto");
                return Results.Json(new { latent = z, prior = trained ? "trained" : "standard" });
            }
            catch (OneshotException e) { return Problem(400, e.Message); }
        });
    }

    /// <summary>The body of /api/decode and /api/kit/render: {"latent": [...]} within the model's range, or the answer that says what is wrong.</summary>
    async Task<(float[]? Latent, IResult? Problem)> ReadLatent(HttpContext context)
    {
        int size = _session.Runner.LatentSize;
        if (!context.Request.HasJsonContentType())
            return (null, Problem(415, $"Send the latent as JSON (Content-Type: application/json): {{\"latent\": [{size} numbers]}}."));
        float[]? z;
        try { z = (await context.Request.ReadFromJsonAsync<LatentBody>())?.Latent; }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problem(413, $"The body is larger than {MaxUploadBytes / 1024 / 1024} MB; a latent is {size} numbers."));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or BadHttpRequestException)
        {
            // Where the JSON went wrong, without the serializer's .NET type names.
            string where = e is System.Text.Json.JsonException { Path: { Length: > 0 } path } ? $" (at {path})" : "";
            return (null, Problem(400, $"The body must be JSON {{\"latent\": [{size} numbers]}}{where}."));
        }
        return _session.CheckLatent(z) is { } error ? (null, Problem(400, error)) : (z, null);
    }

    /// <summary>A JSON body as text; null with the answer when it is over the size limit.</summary>
    static async Task<(string? Text, IResult? Problem)> ReadText(HttpContext context)
    {
        try { return (await new StreamReader(context.Request.Body).ReadToEndAsync(), null); }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problem(413, $"The body is larger than {MaxUploadBytes / 1024 / 1024} MB."));
        }
    }

    IResult Wav(float[] audio) => Results.Bytes(WavWriter.Encode(new AudioData(_session.Runner.SampleRate, [audio]), WavSampleFormat.Float32), "audio/wav");

    /// <summary>An upload's name fit for messages: no control characters, at most 100 characters.</summary>
    static string SafeName(string? requested)
    {
        string name = Path.GetFileName(new string((requested ?? "upload.wav").Where(c => !char.IsControl(c)).ToArray()));
        return name.Length == 0 ? "upload" : name.Length > 100 ? name[..100] + "…" : name;
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
        _session.Dispose();
    }

    sealed record LatentBody(float[]? Latent);
}
