using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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
        _app.MapGet("/", () => Results.Content(Page.Read("play.html"), "text/html; charset=utf-8"));
        _app.MapGet("/sequencer.js", () => Results.Content(Page.Read("sequencer.js"), "text/javascript; charset=utf-8"));

        _app.MapGet("/api/model", () => Results.Json(ModelView.Of(session), PageJson));

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

        // The sound map: every sound's place, class, qualities and latent; its originals one by one; how far a build is.
        _app.MapGet("/api/map", async () =>
        {
            try { return Results.Json(MapView.Of(await session.Map.GetAsync()), PageJson); }
            catch (OneshotException e) { return Problem(404, e.Message); }
        });

        _app.MapGet("/api/map/progress", () => Results.Json(session.Map.Progress is { } p
            ? new { building = true, done = p.Done, total = p.Total, step = p.Step }
            : new { building = false, done = 0, total = 0, step = "" }));

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

        _app.MapPost("/api/kit/variations", async (HttpContext context) =>
        {
            var (text, tooLarge) = await ReadText(context);
            if (tooLarge is not null) return tooLarge;
            try
            {
                var (latents, velocities) = await session.PadVariationsAsync(text!);
                return Results.Json(new { latents, velocities = velocities.Select(v => new[] { v.Low, v.High }) });
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
            string fileName = RequestBodies.SafeName(context.Request.Query["name"].FirstOrDefault());
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
            if (!RequestBodies.TryDouble(query["temperature"], 1.0, out double temperature)) return Problem(400, "temperature must be a number from 0 to 10.");
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

    /// <summary>The page's JSON: property names in snake_case, as the page reads them; text as ASP.NET writes it by default (no \u escapes for "·").</summary>
    static readonly JsonSerializerOptions PageJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    IResult Wav(float[] audio) => RequestBodies.Wav(audio, _session.Runner.SampleRate);

    Task<(float[]? Latent, IResult? Problem)> ReadLatent(HttpContext context) => RequestBodies.ReadLatent(context, _session, MaxUploadBytes);

    static Task<(string? Text, IResult? Problem)> ReadText(HttpContext context) => RequestBodies.ReadText(context, MaxUploadBytes);

    static IResult Problem(int status, string message) => RequestBodies.Problem(status, message);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _session.Dispose();
    }
}
