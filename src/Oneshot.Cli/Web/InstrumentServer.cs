using System.Globalization;
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

    /// <summary>Opens the model (<see cref="InstrumentSession.OpenAsync"/>, whose parameters these are) and serves it
    /// on <paramref name="port"/> (0: any free one).</summary>
    public static async Task<InstrumentServer> StartAsync(string modelDirectory, int port,
        int refineSteps = LatentRefiner.DefaultSteps, CancellationToken cancellation = default,
        TorchSharp.torch.Device? device = null, string? mapDirectory = null, string? dataDirectory = null)
    {
        var session = await InstrumentSession.OpenAsync(modelDirectory, refineSteps, device, mapDirectory,
            dataDirectory);
        var server = new InstrumentServer(LocalWebApp.Build(allInterfaces: false, port, MaxUploadBytes), session);
        server.MapRoutes();
        try
        {
            server.Url = await LocalWebApp.StartAsync(server._app, allInterfaces: false, port, cancellation);
        }
        catch
        {
            // a busy port has disposed it already
            try { await server._app.DisposeAsync(); } catch (ObjectDisposedException) { }
            session.Dispose();
            throw;
        }
        return server;
    }

    void MapRoutes()
    {
        var session = _session;
        // The API's answers change under the same address (another map, another pad): a browser must not keep them.
        _app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api")) context.Response.Headers.CacheControl = "no-store";
            await next();
        });
        _app.MapGet("/", () => Results.Content(Page.Read("play.html"), "text/html; charset=utf-8"));
        // The page's ES modules, one per panel (wwwroot/*.js); nothing else is served by name.
        _app.MapGet("/{module}.js", (string module) => Page.TryRead($"{module}.js") is { } script
            ? Results.Content(script, "text/javascript; charset=utf-8")
            : Results.NotFound());

        _app.MapGet("/api/model", () => Results.Json(ModelView.Of(session), RequestBodies.PageJson));

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

        // The sound map: every sound's place, class, qualities and latent; its originals one by one; how far a build
        // is.
        _app.MapGet("/api/map", async () =>
        {
            try { return Results.Json(MapView.Of(await session.Map.GetAsync()), RequestBodies.PageJson); }
            catch (OneshotException e) { return Problem(404, e.Message); }
        });

        _app.MapGet("/api/map/progress", () => Results.Json(session.Map.Progress is { } p
            ? new { building = true, done = p.Done, total = p.Total, step = p.Step }
            : new { building = false, done = 0, total = 0, step = "" }));

        // A folder of the user's sounds mapped from the page: accepted at once, then built; /api/map answers when done.
        _app.MapPost("/api/map/folder", Described((text, _) =>
        {
            string folder = RequestBodies.FolderOf(text);
            session.MapFolder(folder);
            return Task.FromResult(Results.Accepted(value: new { folder }));
        }));

        _app.MapGet("/api/map/sound/{index:int}", async (int index) =>
        {
            try { return Wav(await session.Map.OriginalAsync(index)); }
            catch (OneshotException e) { return Problem(404, e.Message); }
        });

        // The kit: pads found one by one (a class, the prior), decoded without superseding the sliders, exported as a
        // zip.
        _app.MapGet("/api/kit/classes",
            async () => Results.Json(new { classes = await session.TrainingClassesAsync() }));

        _app.MapPost("/api/kit/pad", Described(async (text, _) =>
        {
            var (latent, source) = await session.FindPadAsync(text);
            return Results.Json(new { latent, source });
        }));

        _app.MapPost("/api/kit/variations", Described(async (text, _) =>
        {
            var (latents, velocities) = await session.PadVariationsAsync(text);
            return Results.Json(new { latents, velocities = velocities.Select(v => new[] { v.Low, v.High }) });
        }));

        _app.MapPost("/api/kit/render", async (HttpContext context) =>
        {
            var (z, problem) = await ReadLatent(context);
            return problem ?? Wav(await session.RenderPadAsync(z!));
        });

        _app.MapPost("/api/kit", Described(async (text, context) =>
        {
            var (zip, fileName) = await session.ExportKitAsync(text);
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            return Results.Bytes(zip, "application/zip");
        }));

        _app.MapPost("/api/encode", async (HttpContext context) =>
        {
            string fileName = RequestBodies.SafeName(context.Request.Query["name"].FirstOrDefault());
            // The page asks twice: refine=0 to hear the encoder's latent at once, then the refined one.
            if (!RequestBodies.TryInteger(context.Request.Query["refine"], session.RefineSteps, out int refineSteps))
                return Problem(400, $"refine must be a whole number of steps from 0 to {MaxRefineSteps}.");
            string tooLarge = $"'{fileName}' is larger than {MaxUploadBytes / 1024 / 1024} MB.";
            if (context.Request.ContentLength is > MaxUploadBytes) return Problem(413, tooLarge);
            try
            {
                var z = await session.EncodeUploadAsync(file => context.Request.Body.CopyToAsync(file), fileName,
                    refineSteps);
                return Results.Json(new { latent = z, refine_steps = refineSteps });
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return Problem(413, tooLarge);
            }
            catch (UnusableFileException e) { return Problem(422, e.Message); }
            catch (OneshotException e) { return Problem(400, e.Message); }
        });

        _app.MapGet("/api/sample", async (HttpContext context) =>
        {
            var query = context.Request.Query;
            if (!RequestBodies.TryDouble(query["temperature"], 1.0, out double temperature))
                return Problem(400, "temperature must be a number from 0 to 10.");
            if (!RequestBodies.TryInteger(query["seed"], 0, out long seed))
                return Problem(400, "seed must be an integer.");
            try
            {
                var (z, trained) = await session.SampleAsync(temperature, seed,
                    query["prior"].FirstOrDefault() ?? "auto");
                return Results.Json(new { latent = z, prior = trained ? "trained" : "standard" });
            }
            catch (OneshotException e) { return Problem(400, e.Message); }
        });
    }

    IResult Wav(float[] audio) => RequestBodies.Wav(audio, _session.Runner.SampleRate);

    Task<(float[]? Latent, IResult? Problem)> ReadLatent(HttpContext context) =>
        RequestBodies.ReadLatent(context, _session, MaxUploadBytes);

    /// <summary>A route taking a POST of a description the session reads (a pad, a kit): 413 when it is too large,
    /// 400 with the session's reason when it is refused.</summary>
    static Delegate Described(Func<string, HttpContext, Task<IResult>> answer) =>
        async Task<IResult> (HttpContext context) =>
        {
            var (text, tooLarge) = await RequestBodies.ReadText(context, MaxUploadBytes);
            if (tooLarge is not null) return tooLarge;
            try { return await answer(text!, context); }
            catch (OneshotException e) { return Problem(400, e.Message); }
        };

    static IResult Problem(int status, string message) => RequestBodies.Problem(status, message);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _session.Dispose();
    }
}
