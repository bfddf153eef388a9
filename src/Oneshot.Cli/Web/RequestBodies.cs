using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Oneshot.Audio;
using Oneshot.Instrument;

namespace Oneshot.Cli.Web;

/// <summary>
/// Reading the instrument page's requests and shaping its answers: a latent or a JSON body within
/// the size limit, query numbers, upload names fit for messages, WAV bodies, and errors as
/// {"error": "…"} that say what is wrong without .NET's type names.
/// </summary>
static class RequestBodies
{
    /// <summary>The page's JSON: property names in snake_case, as the page reads them; text as ASP.NET writes it by
    /// default (no \u escapes for "·").</summary>
    public static readonly JsonSerializerOptions PageJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The body of /api/decode and /api/kit/render: {"latent": [...]} within the model's range, or the answer
    /// that says what is wrong.</summary>
    public static async Task<(float[]? Latent, IResult? Problem)> ReadLatent(HttpContext context,
        InstrumentSession session, long maxBytes)
    {
        int size = session.Runner.LatentSize;
        if (!context.Request.HasJsonContentType())
            return (null,
                Problem(415, $"Send the latent as JSON (Content-Type: application/json): {{\"latent\": [{size} " +
                $"numbers]}}."));
        float[]? z;
        try { z = (await context.Request.ReadFromJsonAsync<LatentBody>())?.Latent; }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null,
                Problem(413, $"The body is larger than {maxBytes / 1024 / 1024} MB; a latent is {size} numbers."));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or BadHttpRequestException)
        {
            // Where the JSON went wrong, without the serializer's .NET type names.
            string where = e is System.Text.Json.JsonException { Path: { Length: > 0 } path } ? $" (at {path})" : "";
            return (null, Problem(400, $"The body must be JSON {{\"latent\": [{size} numbers]}}{where}."));
        }
        return session.CheckLatent(z) is { } error ? (null, Problem(400, error)) : (z, null);
    }

    /// <summary>A JSON body as text; null with the answer when it is over the size limit.</summary>
    public static async Task<(string? Text, IResult? Problem)> ReadText(HttpContext context, long maxBytes)
    {
        try { return (await new StreamReader(context.Request.Body).ReadToEndAsync(), null); }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problem(413, $"The body is larger than {maxBytes / 1024 / 1024} MB."));
        }
    }

    /// <summary>The folder a {"folder": "…"} body names.</summary>
    public static string FolderOf(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<FolderBody>(json, PageJson)?.Folder is { Length: > 0 } folder ? folder
                : throw new OneshotException("Send {\"folder\": \"/full/path/of/a/folder\"}.");
        }
        catch (JsonException) { throw new OneshotException("Send {\"folder\": \"/full/path/of/a/folder\"} as JSON."); }
    }

    public static IResult Wav(float[] audio, int sampleRate) =>
        Results.Bytes(WavWriter.Encode(new AudioData(sampleRate, [audio]), WavSampleFormat.Float32), "audio/wav");

    /// <summary>An upload's name fit for messages: no control characters, at most 100 characters.</summary>
    public static string SafeName(string? requested)
    {
        string name =
            Path.GetFileName(new string((requested ?? "upload.wav").Where(c => !char.IsControl(c)).ToArray()));
        return name.Length == 0 ? "upload" : name.Length > 100 ? name[..100] + "…" : name;
    }

    public static bool TryDouble(Microsoft.Extensions.Primitives.StringValues text, double fallback, out double value)
    {
        value = fallback;
        return text.Count == 0 || double.TryParse(text[0], NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }

    /// <summary>A whole number from the query, <paramref name="fallback"/> when it is not given.</summary>
    public static bool TryInteger<T>(Microsoft.Extensions.Primitives.StringValues text, T fallback, out T value)
        where T : IBinaryInteger<T>
    {
        value = fallback;
        return text.Count == 0 || T.TryParse(text[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out value!);
    }

    public static IResult Problem(int status, string message) =>
        Results.Json(new { error = message }, statusCode: status);

    sealed record LatentBody(float[]? Latent);
    sealed record FolderBody(string? Folder);
}
