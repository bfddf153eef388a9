using System.Text.Json;
using Oneshot.Cli.Web;
using Xunit.Abstractions;

namespace Oneshot.Tests.Instrument;

/// <summary>
/// Runs only when ONESHOT_MAP_BENCH names a model and a map ("MODEL_DIR|MAP_DIR"): the map page's
/// speed as a person meets it in chromium — drawing the map, hover → sound, click → new sound, a pad hit —
/// written as JSON to ONESHOT_MAP_BENCH_OUT (or the test's output). Speed targets are checked by
/// benchmarks, not by timed tests, so this asserts only that it measured something.
/// </summary>
[Collection(BrowserCollection.Name)]
public class MapPageBenchmark(ITestOutputHelper output)
{
    const string Variable = "ONESHOT_MAP_BENCH";

    public sealed class BenchmarkFactAttribute : FactAttribute
    {
        public BenchmarkFactAttribute()
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
                Skip = $"a benchmark: set {Variable}=MODEL_DIR|MAP_DIR to run it";
        }
    }

    [BenchmarkFact]
    public async Task Map_page_drawing_hover_and_click_times()
    {
        var parts = Environment.GetEnvironmentVariable(Variable)!.Split('|');
        await using var server = await InstrumentServer.StartAsync(parts[0], 0, mapDirectory: parts[1]);
        await using var chromium = await Browser.OpenAsync(server.Url);

        // Drawing: the page's own clock, from asking for the map to the dots on the canvas, over fresh loads.
        var drawn = new List<double>();
        var drawOnly = new List<double>();
        var page = chromium.Page;
        for (int load = 0; load < 5; load++)
        {
            if (load > 0) page = await chromium.NewPageAsync(server.Url);
            await page.WaitForFunctionAsync("() => document.body.dataset.mapSounds !== undefined && " +
                "document.body.dataset.decodes === '1'");
            drawn.Add(await page.EvaluateAsync<double>("() => window.oneshot.map.drawnMs"));
            drawOnly.Add(await page.EvaluateAsync<double>("() => { const t = performance.now(); " +
                "window.oneshot.drawMap(); return " +
                "performance.now() - t; }"));
            if (load < 4) await page.CloseAsync();
        }

        // Hover: the pointer travels to 60 dots at a person's pace (a move every 16 ms); the page
        // keeps each audition's delay from the pointer event and whether the sound was fetched ahead.
        await page.Locator("#map").ScrollIntoViewIfNeededAsync();
        const string OnScreen = "([x, y]) => { const r = document.getElementById('map').getBoundingClientRect(); " +
            "const c = document.getElementById('map'); return [r.left + x * r.width / c.width, r.top + y * r.height " +
            "/ c.height]; }";
        int sounds = await page.EvaluateAsync<int>("() => window.oneshot.map.data.sounds.length");
        var random = new Random(7);
        var at = await page.EvaluateAsync<double[]>($"() => ({OnScreen})([550, 250])");
        await page.Mouse.MoveAsync((float)at[0], (float)at[1]);
        for (int visit = 0; visit < 60; visit++)
        {
            int target = random.Next(sounds);
            var to =
                await page.EvaluateAsync<double[]>(
                    $"() => ({OnScreen})(window.oneshot.mapToCanvas(window.oneshot.map.data.sounds[" +
                $"{target}].position))");
            for (int step = 1; step <= 20; step++)
            {
                await page.Mouse.MoveAsync((float)(at[0] + (to[0] - at[0]) * step / 20),
                    (float)(at[1] + (to[1] - at[1]) * step / 20));
                await Task.Delay(16);
            }
            at = to;
            await Task.Delay(150);
        }
        var delays = await page.EvaluateAsync<JsonElement>("() => window.oneshot.map.auditionDelays");
        var ahead = delays.EnumerateArray().Where(d => d.GetProperty("ahead").GetBoolean())
            .Select(d => d.GetProperty("ms").GetDouble()).ToArray();
        var fetched = delays.EnumerateArray().Where(d => !d.GetProperty("ahead").GetBoolean())
            .Select(d => d.GetProperty("ms").GetDouble()).ToArray();

        // Click → new sound: empty spots, each decoded; the page's time from the request to the sound ready.
        var clicks = new List<double>();
        var serverDecodes = new List<double>();
        var empties = await page.EvaluateAsync<double[][]>(@"() => {
            const spots = [];
            for (let x = 20; x < 1080; x += 37)
              for (let y = 20; y < 500; y += 29) {
                const [[, d2]] = window.oneshot.nearestDots(x, y, 1);
                if (d2 > 100) spots.push([x, y]);
              }
            return spots.slice(0, 30); }");
        foreach (var spot in empties)
        {
            int before = await page.EvaluateAsync<int>("() => Number(document.body.dataset.decodes)");
            var onScreen = await page.EvaluateAsync<double[]>($"() => ({OnScreen})([{spot[0]}, {spot[1]}])");
            await page.Mouse.ClickAsync((float)onScreen[0], (float)onScreen[1]);
            await page.WaitForFunctionAsync($"() => Number(document.body.dataset.decodes) > {before} && " +
                $"window.oneshot.applied === window.oneshot.requested");
            clicks.Add(await page.EvaluateAsync<double>("() => window.oneshot.lastRoundTripMs"));
            serverDecodes.Add(await page.EvaluateAsync<double>("() => window.oneshot.lastDecodeMs"));
            await Task.Delay(200);
        }

        // A pad hit: pad 1 holds the current sound; the key "1" is struck 50 times, 120 ms apart. The page keeps each
        // hit's delay from the key event to its voice started; the audio context says how much output latency it
        // adds after that (its base latency and, where the browser knows it, the device's).
        await page.Locator("#pad-0").ClickAsync();
        await page.Locator("#pad-current").ClickAsync();
        await page.WaitForFunctionAsync("() => window.oneshot.kit.pads[0]?.buffer && " +
            "!window.oneshot.kit.pads[0].pending");
        await page.EvaluateAsync("() => { window.oneshot.kit.hitDelays.length = 0; }");
        for (int hit = 0; hit < 50; hit++)
        {
            await page.Locator("body").PressAsync("1");
            await Task.Delay(120);
        }
        var hits = await page.EvaluateAsync<double[]>("() => window.oneshot.kit.hitDelays");
        var contextLatency = await page.EvaluateAsync<double[]>("() => { const c = window.oneshot.ensureAudio(); " +
            "return [1000 * c.baseLatency, 1000 * (c.outputLatency ?? 0)]; }");

        var report = new
        {
            sounds,
            map_drawn_ms = drawn,
            draw_only_ms = drawOnly,
            hover_ahead = Summary(ahead),
            hover_fetched = Summary(fetched),
            hover_fetched_too_late_skipped = await page.EvaluateAsync<int>("() => window.oneshot.map.skippedLate"),
            click_ready = Summary([.. clicks]),
            click_server_decode = Summary([.. serverDecodes]),
            pad_hit_to_voice = Summary(hits),
            audio_base_latency_ms = contextLatency[0],
            audio_output_latency_ms = contextLatency[1],
        };
        string json = JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true });
        if (Environment.GetEnvironmentVariable(Variable + "_OUT") is { Length: > 0 } file)
            File.WriteAllText(file, json);
        output.WriteLine(json);
        // The page measured each thing it was asked to: a draw time per load, a sound per hover or
        // fetch, a round trip per click on the empty spots the map left.
        Assert.All(drawn, ms => Assert.True(ms > 0, "the page reported no map draw time"));
        Assert.True(ahead.Length + fetched.Length > 0, "no hover played a sound");
        Assert.True(empties.Length > 0, "the map left no empty spot to click");
        Assert.All(clicks, ms => Assert.True(ms > 0, "a click's round trip was not measured"));
        Assert.Equal(50, hits.Length);
    }

    static object Summary(double[] values)
    {
        if (values.Length == 0) return new { count = 0 };
        var sorted = values.Order().ToArray();
        return new { count = values.Length, median = sorted[sorted.Length / 2],
            p95 = sorted[(int)Math.Ceiling(0.95 * sorted.Length) - 1], max = sorted[^1] };
    }
}
