using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Oneshot.Listening;

namespace Oneshot.Cli.Web;

public sealed record ListeningServerOptions
{
    /// <summary>Listen on every interface (LAN) instead of 127.0.0.1; every rater then needs an access token.</summary>
    public bool Host { get; init; }
    /// <summary>0: any free port.</summary>
    public int Port { get; init; }
    /// <summary>Access tokens to create (LAN mode) on top of those already in the study.</summary>
    public int NewRaters { get; init; }
}

/// <summary>
/// The MOS listening test page and its API (ASP.NET Core on Kestrel). On 127.0.0.1 a rater is a
/// browser (its id kept in localStorage); with --host, a rater is an access token and every request
/// must carry one, so nobody on the network can rate without being invited.
/// </summary>
public sealed class ListeningServer : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ListeningStudy _study;
    readonly RatingStore _store;
    readonly string _stimuli;
    readonly bool _tokensRequired;

    ListeningServer(WebApplication app, ListeningStudy study, RatingStore store, string stimuli, bool tokensRequired)
    {
        _app = app;
        _study = study;
        _store = store;
        _stimuli = stimuli;
        _tokensRequired = tokensRequired;
    }

    public RatingStore Store => _store;
    public ListeningStudy Study => _study;
    public IReadOnlyList<string> Tokens { get; private set; } = [];
    public string Url { get; private set; } = "";

    public static async Task<ListeningServer> StartAsync(string studyDirectory, ListeningServerOptions options,
        CancellationToken cancellation = default)
    {
        var study = ListeningStudy.Load(studyDirectory);
        var store = new RatingStore(Path.Combine(studyDirectory, ListeningStudy.RatingsFile),
            study.Stimuli.Select(s => s.Id));
        var app = LocalWebApp.Build(options.Host, options.Port, 64 * 1024);
        var server = new ListeningServer(app, study, store, Path.Combine(studyDirectory, ListeningStudy.StimuliFolder),
            options.Host);
        server.MapRoutes();
        if (options.Host) server.Tokens = server.CreateTokens(studyDirectory, options.NewRaters);
        server.Url = await LocalWebApp.StartAsync(app, options.Host, options.Port, cancellation);
        return server;
    }

    /// <summary>Tokens of every invited rater: those created before (kept in tokens.txt) and <paramref name="count"/>
    /// new ones.</summary>
    IReadOnlyList<string> CreateTokens(string studyDirectory, int count)
    {
        string file = Path.Combine(studyDirectory, "tokens.txt");
        var tokens = File.Exists(file) ? File.ReadAllLines(file).Where(l => l.Length > 0).ToList() : [];
        for (int i = 0; i < count; i++)
        {
            string token = NewToken();
            _store.CreateRater(token);
            tokens.Add(token);
        }
        if (count > 0) AtomicFile.WriteAllText(file, string.Join('\n', tokens) + "\n");
        return tokens;
    }

    void MapRoutes()
    {
        _app.MapGet("/", () => Results.Content(Page.Read("listen.html"), "text/html; charset=utf-8"));

        _app.MapGet("/api/study", () => Results.Json(new
        {
            title = _study.Title,
            id = _study.Created.ToUnixTimeMilliseconds(),     // tells studies apart in the browser's storage
            design = _study.Design == ListeningDesign.Preference ? "preference" : "acr",
            count = _study.Design == ListeningDesign.Preference ? _study.Trials.Count : _study.Stimuli.Count,
            tokens_required = _tokensRequired,
            training =
                _study.Training.Select(t => new { id = t.Id, label = _study.SystemOf(t).Kind == StimulusKind.Real
                ? "a real recording" : "a generated sound" }),
        }));

        _app.MapPost("/api/session", (SessionRequest request, HttpContext context) =>
        {
            Rater? rater;
            if (_tokensRequired)
            {
                rater = RaterFromToken(context);
                if (rater is null)
                    return Results.Json(new { error = "This study needs the access token from your invitation link." },
                        statusCode: 401);
            }
            else
            {
                // On this computer too, a rater is whoever holds the rater's key: the page keeps it, and
                // another page cannot rate as this rater by naming its number.
                rater = request.Rater is long id && request.Key is { Length: > 0 } key
                    && _store.FindRater(id) is { } known && known.Token == key
                    ? known
                    : _store.CreateRater(NewToken());
            }
            string? pageKey = _tokensRequired ? null : rater.Token;
            if (_study.Design == ListeningDesign.Preference)
                return Results.Json(new
                {
                    rater = rater.Id, key = pageKey,
                    order = _study.TrialOrderFor(rater.Id).Select(t => t.Id),
                    trials = _study.Trials.ToDictionary(t => t.Id, t =>
                        new { kind = t.Kind.ToString().ToLowerInvariant(), reference = t.Reference, a = t.A, b = t.B }),
                    rated = _store.ChoicesBy(rater.Id).Select(c => c.Trial),
                });
            var rated = _store.RatingsBy(rater.Id).Select(r => r.Stimulus).ToList();
            return Results.Json(new { rater = rater.Id, key = pageKey,
                order = _study.OrderFor(rater.Id).Select(s => s.Id), rated });
        });

        _app.MapGet("/api/audio/{id}", (string id, HttpContext context) =>
        {
            var rater = RaterFromToken(context);
            if (_tokensRequired && rater is null) return Results.StatusCode(401);
            // Only stimuli of the study, by id: never a path from the request.
            var stimulus = _study.Stimuli.Concat(_study.Training).FirstOrDefault(s => s.Id == id);
            if (stimulus is null) return Results.NotFound();
            if (rater is not null) _store.MarkServed(rater.Id, stimulus.Id);
            return Results.File(Path.Combine(_stimuli, stimulus.File), "audio/wav", enableRangeProcessing: true);
        });

        _app.MapPost("/api/rating", (RatingRequest request, HttpContext context) =>
        {
            if (RaterFromToken(context) is not { } rater)
                return Results.Json(new { error = _tokensRequired ? "missing or unknown access token"
                    : "missing or unknown rater key; reload the page." }, statusCode: 401);
            return Answer(_store.Rate(rater.Id, request.Stimulus ?? "", request.Score, request.Played), "sound",
                "The score must be 1 to 5.");
        });

        _app.MapPost("/api/choice", (ChoiceRequest request, HttpContext context) =>
        {
            if (RaterFromToken(context) is not { } rater)
                return Results.Json(new { error = _tokensRequired ? "missing or unknown access token"
                    : "missing or unknown rater key; reload the page." }, statusCode: 401);
            var trial = _study.Trials.FirstOrDefault(t => t.Id == request.Trial);
            return Answer(_store.Choose(rater.Id, trial, request.Side ?? "", request.Played), "comparison",
                "Choose side \"a\" or \"b\".");
        });
    }

    static IResult Answer(RatingOutcome outcome, string what, string invalid) =>
        outcome switch
            {
                RatingOutcome.Stored => Results.Json(new { stored = true }),
                RatingOutcome.AlreadyRated =>
                    Results.Json(new { error = $"You have already rated this {what}; ratings cannot be changed." },
                    statusCode: 409),
                RatingOutcome.NotPlayed =>
                    Results.Json(new { error = $"Listen to the whole {what} before rating it." }, statusCode: 400),
                RatingOutcome.NotServed =>
                    Results.Json(new { error = $"This {what} was never sent to you; play it before rating it." },
                    statusCode: 400),
                RatingOutcome.InvalidScore => Results.Json(new { error = invalid }, statusCode: 400),
                RatingOutcome.UnknownStimulus =>
                    Results.Json(new { error = $"No such {what} in this study." }, statusCode: 404),
                _ => Results.Json(new { error = "Unknown rater; reload the page." }, statusCode: 404),
            };

    /// <summary>A rater's secret: an invitation token, or the key a page on this computer is given.</summary>
    static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    Rater? RaterFromToken(HttpContext context)
    {
        string? token = context.Request.Headers["X-Rater-Token"].FirstOrDefault()
            ?? context.Request.Query["token"].FirstOrDefault();
        return string.IsNullOrEmpty(token) ? null : _store.FindRaterByToken(token);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    sealed record SessionRequest(long? Rater, string? Key);
    sealed record RatingRequest(long? Rater, string? Stimulus, int Score, bool Played);
    sealed record ChoiceRequest(long? Rater, string? Trial, string? Side, bool Played);
}
