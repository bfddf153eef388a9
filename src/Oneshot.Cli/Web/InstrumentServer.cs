using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Oneshot.Audio;
using Oneshot.Generation;
using Oneshot.Instrument;
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
    const int MaxRefineSteps = 1000;   // a minute or more per file already; more holds the model thread too long
    readonly WebApplication _app;
    readonly DecodeService _service;
    readonly string _modelName;
    readonly string _modelHash;
    readonly int _refineSteps;

    InstrumentServer(WebApplication app, DecodeService service, string modelName, string modelHash, int refineSteps)
    {
        _app = app;
        _service = service;
        _modelName = modelName;
        _modelHash = modelHash;
        _refineSteps = refineSteps;
    }

    public string Url { get; private set; } = "";

    /// <param name="refineSteps">Gradient steps on a dropped file's latent, as `oneshot reconstruct` takes (<see cref="LatentRefiner"/>).</param>
    public static async Task<InstrumentServer> StartAsync(string modelDirectory, int port, int refineSteps = LatentRefiner.DefaultSteps,
        CancellationToken cancellation = default)
    {
        LatentRefiner.CheckSteps(refineSteps);
        var runner = new ModelRunner(modelDirectory);
        var app = LocalWebApp.Build(allInterfaces: false, port, MaxUploadBytes);
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDirectory)));
        string hash;
        using (var weights = File.OpenRead(Path.Combine(modelDirectory, ModelDirectory.WeightsFile)))
            hash = Convert.ToHexStringLower(SHA256.HashData(weights))[..16];
        var service = new DecodeService(runner);
        await service.DecodeAsync(new float[runner.LatentSize]);    // libtorch's first call is slow: pay it before the page asks
        var server = new InstrumentServer(app, service, name, hash, refineSteps);
        server.MapRoutes(modelDirectory);
        try
        {
            server.Url = await LocalWebApp.StartAsync(app, allInterfaces: false, port, cancellation);
        }
        catch (OneshotException)
        {
            server._service.Dispose();
            runner.Dispose();
            throw;
        }
        return server;
    }

    void MapRoutes(string modelDirectory)
    {
        var runner = _service.Runner;
        var latent = ModelDirectory.LoadLatent(modelDirectory);
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
            // Principal directions of the training posterior: the page's main sliders.
            pca = latent is null ? null : new
            {
                mean = latent.Mean,
                components = latent.Components,
                std = latent.ExplainedVariance.Select(Math.Sqrt),
                share = latent.ExplainedVarianceRatio,
            },
        }));

        _app.MapPost("/api/decode", async (HttpContext context) =>
        {
            float[]? z;
            try { z = (await context.Request.ReadFromJsonAsync<LatentBody>())?.Latent; }
            catch (Exception e) when (e is System.Text.Json.JsonException or BadHttpRequestException)
            {
                return Problem(400, $"The body must be JSON {{\"latent\": [{runner.LatentSize} numbers]}}: {e.Message}");
            }
            if (CheckLatent(z, runner.LatentSize) is { } error) return Problem(400, error);
            var result = await _service.DecodeAsync(z!);
            if (result.Superseded) return Problem(409, "superseded by a newer decode request");
            context.Response.Headers["X-Decode-Ms"] = result.Milliseconds.ToString("0.0", CultureInfo.InvariantCulture);
            return Results.Bytes(WavWriter.Encode(new AudioData(runner.SampleRate, [result.Audio!]), WavSampleFormat.Float32), "audio/wav");
        });

        _app.MapPost("/api/encode", async (HttpContext context) =>
        {
            string fileName = Path.GetFileName(context.Request.Query["name"].FirstOrDefault() ?? "upload.wav");
            // The page asks twice: refine=0 to hear the encoder's latent at once, then the refined one.
            int refineSteps = _refineSteps;
            if (context.Request.Query["refine"].FirstOrDefault() is { } text
                && (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out refineSteps) || refineSteps < 0 || refineSteps > MaxRefineSteps))
                return Problem(400, $"refine must be a whole number of steps from 0 to {MaxRefineSteps}.");
            if (context.Request.ContentLength is > MaxUploadBytes) return Problem(413, $"'{fileName}' is larger than {MaxUploadBytes / 1024 / 1024} MB.");
            string temporary = Path.Combine(Path.GetTempPath(), $"oneshot-upload-{Guid.NewGuid():N}{Path.GetExtension(fileName)}");
            try
            {
                await using (var file = File.Create(temporary))
                {
                    try { await context.Request.Body.CopyToAsync(file); }
                    catch (BadHttpRequestException) { return Problem(413, $"'{fileName}' is larger than {MaxUploadBytes / 1024 / 1024} MB."); }
                }
                if (new FileInfo(temporary).Length == 0) return Problem(400, "The upload is empty.");
                var z = await _service.RunAsync(r => r.EncodeRefined([r.PrepareFile(temporary)], refineSteps)[0]);
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

    static string? CheckLatent(float[]? z, int size)
    {
        if (z is null) return $"latent is missing: send {{\"latent\": [{size} numbers]}}.";
        if (z.Length != size) return $"latent has {z.Length} values; this model's latents have {size}.";
        if (z.Any(v => !float.IsFinite(v))) return "latent holds a value that is not a finite number.";
        if (z.Any(v => Math.Abs(v) > 1000)) return "latent holds a value beyond ±1000.";
        return null;
    }

    static bool TryDouble(Microsoft.Extensions.Primitives.StringValues text, double fallback, out double value)
    {
        value = fallback;
        return text.Count == 0 || double.TryParse(text[0], NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    static IResult Problem(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _service.Dispose();
        _service.Runner.Dispose();
    }

    sealed record LatentBody(float[]? Latent);
}
