using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Oneshot.Cli.Web;

namespace Oneshot.Tests.Listening;

[Collection(BrowserCollection.Name)]
public class ListeningBrowserTests
{
    [Fact]
    public async Task A_rater_completes_a_session_in_chromium_and_every_rating_is_stored()
    {
        using var dir = new TempDir();
        var (study, directory) = ListeningTests.MakeStudy(dir, perSystem: 2, clipLength: 2400);   // 6 sounds of 0.3 s
        await using var server = await ListeningServer.StartAsync(directory, new ListeningServerOptions());
        await using var chromium = await Browser.OpenAsync(server.Url);
        var page = chromium.Page;

        // The training page, its examples, then the test.
        await page.Locator("#training").WaitForAsync();
        Assert.Equal(2, await page.Locator("button.example").CountAsync());
        await page.Locator("button.example").First.ClickAsync();
        await page.ClickAsync("#start");

        int[] scores = [5, 4, 3, 2, 1, 4];
        for (int i = 0; i < study.Stimuli.Count; i++)
        {
            await Assertions.Expect(page.Locator("#progress"))
                .ToHaveTextAsync($"Sound {i + 1} of {study.Stimuli.Count}");
            // Play before rate: the scale stays disabled until the sound has ended.
            Assert.True(await page.Locator("#scale button[data-score='3']").IsDisabledAsync());
            await page.ClickAsync("#play");
            var choice = page.Locator($"#scale button[data-score='{scores[i]}']");
            await Assertions.Expect(choice).ToBeEnabledAsync();
            await choice.ClickAsync();
            if (i == 2)
            {
                // A reload resumes where the rater was, without the training page.
                await Assertions.Expect(page.Locator("#progress")).ToHaveTextAsync($"Sound 4 of {study.Stimuli.Count}");
                await page.ReloadAsync();
                await Assertions.Expect(page.Locator("#test")).ToBeVisibleAsync();
            }
        }
        await Assertions.Expect(page.Locator("#done")).ToBeVisibleAsync();

        var ratings = server.Store.All();
        Assert.Equal(study.Stimuli.Count, ratings.Count);
        long rater = Assert.Single(ratings.Select(r => r.RaterId).Distinct());
        // Stored in the rater's own order, each with the score clicked.
        Assert.Equal(study.OrderFor(rater).Select(s => s.Id), ratings.OrderBy(r => r.Created).Select(r => r.Stimulus));
        Assert.Equal(scores, ratings.OrderBy(r => r.Created).Select(r => r.Score));
    }

    [Fact]
    public async Task A_rater_completes_an_ab_study_in_chromium_choosing_only_after_hearing_every_version()
    {
        using var dir = new TempDir();
        var (study, directory) = ListeningTests.MakeStudy(dir, perSystem: 1, clipLength: 2400, models: 2,
            design: Oneshot.Listening.ListeningDesign.Preference);
        Assert.Equal(3, study.Trials.Count);   // one check, one pair of reconstructions, one pair of samples
        await using var server = await ListeningServer.StartAsync(directory, new ListeningServerOptions());
        await using var chromium = await Browser.OpenAsync(server.Url);
        var page = chromium.Page;
        await page.Locator("#training").WaitForAsync();
        Assert.True(await page.Locator("#training .preference-only").IsVisibleAsync());
        Assert.False(await page.Locator("#training table").IsVisibleAsync());   // the 1–5 scale is the ACR study's
        await page.ClickAsync("#start");

        string[] sides = ["a", "b", "a"];
        for (int i = 0; i < study.Trials.Count; i++)
        {
            await Assertions.Expect(page.Locator("#compare-progress"))
                .ToHaveTextAsync($"Comparison {i + 1} of {study.Trials.Count}");
            bool reference = await page.Locator("#play-reference").IsVisibleAsync();
            Assert.True(await page.Locator("#choose-a").IsDisabledAsync());
            await page.ClickAsync("#play-a");
            // A has ended; B is still unheard
            await Assertions.Expect(page.Locator("#compare-status")).ToHaveTextAsync("");
            Assert.True(await page.Locator("#choose-a").IsDisabledAsync());
            if (reference)
            {
                await page.ClickAsync("#play-reference");
                await page.WaitForFunctionAsync(
                    "() => !document.querySelector('#compare-status').textContent.startsWith('Playing')");
                Assert.True(await page.Locator("#choose-b").IsDisabledAsync());
            }
            await page.ClickAsync("#play-b");
            var choice = page.Locator($"#choose-{sides[i]}");
            await Assertions.Expect(choice).ToBeEnabledAsync();
            await choice.ClickAsync();
        }
        await Assertions.Expect(page.Locator("#done")).ToBeVisibleAsync();

        var choices = server.Store.AllChoices();
        long rater = Assert.Single(choices.Select(c => c.RaterId).Distinct());
        Assert.Equal(study.TrialOrderFor(rater).Select(t => t.Id),
            choices.OrderBy(c => c.Created).Select(c => c.Trial));
        Assert.Equal(sides, choices.OrderBy(c => c.Created).Select(c => c.Side));
    }

    [Fact]
    public async Task On_the_network_every_request_needs_an_invitation_token()
    {
        using var dir = new TempDir();
        var (study, directory) = ListeningTests.MakeStudy(dir, perSystem: 1);
        await using var server = await ListeningServer.StartAsync(directory,
            new ListeningServerOptions { Host = true, NewRaters = 2 });
        Assert.Equal(2, server.Tokens.Count);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(directory, "tokens.txt")).Length);
        var port = new Uri(server.Url).Port;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var anonymous = await http.PostAsJsonAsync("/api/session", new { rater = (long?)null });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await http.GetAsync($"/api/audio/{study.Stimuli[0].Id}")).StatusCode);

        http.DefaultRequestHeaders.Add("X-Rater-Token", server.Tokens[0]);
        var session = await http.PostAsJsonAsync("/api/session", new { rater = (long?)null });
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        var unheard = await http.PostAsJsonAsync("/api/rating",
            new { stimulus = study.Stimuli[0].Id, score = 4, played = true });
        Assert.Equal(HttpStatusCode.BadRequest, unheard.StatusCode);   // "played", but the server never sent it
        Assert.Contains("never sent", await unheard.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/audio/{study.Stimuli[0].Id}")).StatusCode);
        var rated = await http.PostAsJsonAsync("/api/rating",
            new { stimulus = study.Stimuli[0].Id, score = 4, played = true, rater = 12345 });
        Assert.Equal(HttpStatusCode.OK, rated.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict,
            (await http.PostAsJsonAsync("/api/rating",
            new { stimulus = study.Stimuli[0].Id, score = 1, played = true })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/audio/..%2Fstudy.json")).StatusCode);
        // The rating belongs to the token's rater, whatever rater id the request claimed.
        Assert.Equal(server.Store.FindRaterByToken(server.Tokens[0])!.Id, server.Store.All().Single().RaterId);
    }

    [Fact]
    public async Task On_this_computer_a_rater_is_whoever_holds_its_key_and_rates_only_what_it_was_sent()
    {
        using var dir = new TempDir();
        var (study, directory) = ListeningTests.MakeStudy(dir, perSystem: 1);
        await using var server = await ListeningServer.StartAsync(directory, new ListeningServerOptions());
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        var session =
            System.Text.Json.JsonDocument.Parse(
            await (
            await http.PostAsJsonAsync("/api/session",
            new { rater = (long?)null })).Content.ReadAsStringAsync()).RootElement;
        long rater = session.GetProperty("rater").GetInt64();
        string key = session.GetProperty("key").GetString()!;
        string first = study.Stimuli[0].Id;

        // Another page naming this rater's number, without its key, is a new rater, and cannot rate as this one.
        var intruder =
            System.Text.Json.JsonDocument.Parse(
            await (
            await http.PostAsJsonAsync("/api/session",
            new { rater, key = "guess" })).Content.ReadAsStringAsync()).RootElement;
        Assert.NotEqual(rater, intruder.GetProperty("rater").GetInt64());
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await http.PostAsJsonAsync("/api/rating",
            new { rater, stimulus = first, score = 1, played = true })).StatusCode);

        using var own = new HttpRequestMessage(HttpMethod.Post, "/api/session")
            { Content = JsonContent.Create(new { rater, key }) };
        var resumed = System.Text.Json.JsonDocument.Parse(
            await (await http.SendAsync(own)).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(rater, resumed.GetProperty("rater").GetInt64());   // the page's reload resumes

        http.DefaultRequestHeaders.Add("X-Rater-Token", key);
        Assert.Equal(HttpStatusCode.BadRequest,
            (await http.PostAsJsonAsync("/api/rating", new { stimulus = first, score = 4, played = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/audio/{first}?token={key}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK,
            (await http.PostAsJsonAsync("/api/rating", new { stimulus = first, score = 4, played = true })).StatusCode);
        Assert.Equal(rater, server.Store.All().Single().RaterId);
    }
}
