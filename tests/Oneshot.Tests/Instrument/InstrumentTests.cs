using System.Text.RegularExpressions;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Oneshot.Audio;
using Oneshot.Cli.Web;
using Oneshot.Generation;
using Oneshot.Instrument;
using Oneshot.Tests.Training;

namespace Oneshot.Tests.Instrument;

[Collection(BrowserCollection.Name)]
public class InstrumentTests
{
    [Fact]
    public async Task A_model_whose_dataset_has_moved_gets_its_classes_from_the_dataset_named_with_data()
    {
        using var dir = new TempDir();
        string model = TinyData.TrainModel(dir, TinyData.Build(dir, count: 12));
        // as the shipped model's dataset is not where it was trained
        Directory.Move(dir.File("data"), dir.File("moved"));
        static async Task<string[]> Classes(InstrumentServer server)
        {
            using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
            var answer = JsonDocument.Parse(await http.GetStringAsync("/api/kit/classes")).RootElement;
            return [.. answer.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!)];
        }
        await using (var lost = await InstrumentServer.StartAsync(model, 0))
            Assert.Empty(await Classes(lost));
        await using var found = await InstrumentServer.StartAsync(model, 0, dataDirectory: dir.File("moved"));
        Assert.NotEmpty(await Classes(found));
    }

    [Fact]
    public async Task The_api_decodes_encodes_samples_and_says_what_is_wrong()
    {
        using var dir = new TempDir();
        string model = TinyData.TrainModel(dir, TinyData.Build(dir));
        // An edited latent.json with a control that is not one of the names, or not of the model's size, is not offered
        // to the page.
        var latentFile = Path.Combine(model, "latent.json");
        var edited = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(latentFile))!.AsObject();
        var bogus = edited["controls"]![0]!.DeepClone().AsObject();
        bogus["name"] = "<img src=x onerror=alert(1)>";
        var tooShort = edited["controls"]![0]!.DeepClone().AsObject();
        tooShort["direction"] = new System.Text.Json.Nodes.JsonArray(1.0);
        edited["controls"]!.AsArray().Add(bogus);
        edited["controls"]!.AsArray().Add(tooShort);
        File.WriteAllText(latentFile, edited.ToJsonString());
        await using var server = await InstrumentServer.StartAsync(model, 0);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };

        var info = JsonDocument.Parse(await http.GetStringAsync("/api/model")).RootElement;
        Assert.Equal(8, info.GetProperty("latent_size").GetInt32());
        Assert.Equal(LatentRefiner.DefaultSteps, info.GetProperty("refine_steps").GetInt32());
        Assert.Equal(8, info.GetProperty("pca").GetProperty("components").GetArrayLength());
        var controls = info.GetProperty("controls").EnumerateArray().ToList();
        Assert.DoesNotContain(controls, c => c.GetProperty("name").GetString()!.Contains('<'));
        Assert.All(controls, c => Assert.Equal(8, c.GetProperty("direction").GetArrayLength()));
        var brightness = controls.Single(c => c.GetProperty("name").GetString() == "brightness");
        Assert.Equal(8, brightness.GetProperty("direction").GetArrayLength());
        Assert.Equal("fitted", brightness.GetProperty("source").GetString());
        Assert.Contains("Hz", brightness.GetProperty("span").GetString());

        var sample = JsonDocument.Parse(await http.GetStringAsync("/api/sample?temperature=0.7&seed=4")).RootElement;
        var z = sample.GetProperty("latent").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(8, z.Length);
        Assert.Equal(z,
            JsonDocument.Parse(await http.GetStringAsync("/api/sample?temperature=0.7&seed=4")).RootElement.GetProperty(
            "latent").EnumerateArray().Select(v => v.GetSingle()));

        var decoded = await http.PostAsJsonAsync("/api/decode", new { latent = z });
        Assert.Equal(HttpStatusCode.OK, decoded.StatusCode);
        Assert.True(decoded.Headers.Contains("X-Decode-Ms"));
        var audio = WavReader.Read(await decoded.Content.ReadAsByteArrayAsync(), "decoded.wav");
        Assert.Equal(8192, audio.Channels[0].Length);
        using (var runner = new ModelRunner(model))
            Assert.Equal(runner.Decode([z])[0], audio.Channels[0]);   // float32 WAV: bit for bit

        async Task<(HttpStatusCode, string)> Post(string path, HttpContent content)
        {
            var response = await http.PostAsync(path, content);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        var (status, body) = await Post("/api/decode", JsonContent.Create(new { latent = new float[3] }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("3 values", body);
        (status, body) =
            await Post("/api/decode",
            new StringContent("{\"latent\": [\"x\"]}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        (status, _) = await Post("/api/decode", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/sample?temperature=hot")).StatusCode);
        // no trained prior
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/sample?prior=trained")).StatusCode);

        // Encoding a file: the same latent as `oneshot encode` gives, refined by as many steps.
        string wav = dir.File("hit.wav");
        WavWriter.Write(wav, Signals.Sine(300, 44100, 20000, 0.5), 44100);
        (status, body) = await Post("/api/encode?name=hit.wav", new ByteArrayContent(File.ReadAllBytes(wav)));
        Assert.Equal(HttpStatusCode.OK, status);
        var encoded = JsonDocument.Parse(body).RootElement.GetProperty("latent").EnumerateArray()
            .Select(v => v.GetSingle()).ToArray();
        Assert.Equal(LatentRefiner.DefaultSteps, JsonDocument.Parse(body).RootElement.GetProperty("refine_steps")
            .GetInt32());
        using (var runner = new ModelRunner(model))
        {
            float[][] clip = [runner.PrepareFile(wav)];
            var expected = runner.Refine(clip, runner.Encode(clip), LatentRefiner.DefaultSteps)[0];
            Assert.NotEqual(runner.Encode(clip)[0], expected);
            for (int i = 0; i < expected.Length; i++)
                Assert.Equal(expected[i], encoded[i], 1e-4f);   // threads may sum in another order
            // refine=0: the encoder's latent alone, which the page plays while the refined one is made.
            (status, body) = await Post("/api/encode?name=hit.wav&refine=0",
                new ByteArrayContent(File.ReadAllBytes(wav)));
            var quick = JsonDocument.Parse(body).RootElement.GetProperty("latent").EnumerateArray()
                .Select(v => v.GetSingle()).ToArray();
            var encoder = runner.Encode(clip)[0];
            for (int i = 0; i < encoder.Length; i++) Assert.Equal(encoder[i], quick[i], 1e-5f);
        }
        (status, body) = await Post("/api/encode?name=hit.wav&refine=-1", new ByteArrayContent(File.ReadAllBytes(wav)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("refine", body);
        (status, body) = await Post("/api/encode?name=junk.wav", new ByteArrayContent("not audio at all"u8.ToArray()));
        Assert.Equal((HttpStatusCode)422, status);
        Assert.Contains("junk.wav", body);
        Assert.DoesNotContain("oneshot-upload", body);
    }

    /// <summary>What a probe of the API found (issue 22): every bad request gets a 4xx with a message, far latents are
    /// refused, loud ones turned down, and refining never holds up a decode.</summary>
    [Fact]
    public async Task Hostile_requests_get_a_4xx_with_a_message_and_refining_never_blocks_decoding()
    {
        using var dir = new TempDir();
        string model = TinyData.TrainModel(dir, TinyData.Build(dir));
        await using var server = await InstrumentServer.StartAsync(model, 0);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        async Task<(HttpStatusCode Status, string Body)> Post(string path, HttpContent content)
        {
            var response = await http.PostAsync(path, content);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        void Refused((HttpStatusCode Status, string Body) reply, string says)
        {
            Assert.InRange((int)reply.Status, 400, 499);
            Assert.Contains(says, JsonDocument.Parse(reply.Body).RootElement.GetProperty("error").GetString());
        }

        // valid JSON, text/plain
        Refused(await Post("/api/decode", new StringContent("{\"latent\": [0,0,0,0,0,0,0,0]}")), "application/json");
        Refused(await Post("/api/decode", JsonContent.Create(new { latent = Enumerable.Repeat(999f, 8).ToArray() })),
            "standard deviations");
        // A body over the limit is 413 here as on /api/encode; malformed JSON says where, without .NET's type names.
        var huge = new ByteArrayContent(new byte[InstrumentServer.MaxUploadBytes + 1024]);
        huge.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        // (Expect: 100-continue, so the server answers before the client has sent what it will not read.)
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/decode") { Content = huge })
        {
            request.Headers.ExpectContinue = true;
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Contains("32 MB", await response.Content.ReadAsStringAsync());
        }
        var wrongType =
            await Post("/api/decode",
            new StringContent("{\"latent\": \"loud\"}", System.Text.Encoding.UTF8, "application/json"));
        Refused(wrongType, "$.latent");
        Assert.DoesNotContain("System.", wrongType.Body);
        WavWriter.Write(dir.File("hit.wav"), Signals.Sine(300, 44100, 20000, 0.5), 44100);
        byte[] hit = File.ReadAllBytes(dir.File("hit.wav"));
        Refused(await Post("/api/encode?name=a%00b.wav", new ByteArrayContent("not audio"u8.ToArray())),
            "could not be used");
        Refused(await Post($"/api/encode?name=x.{new string('w', 300)}", new ByteArrayContent("not audio"u8.ToArray())),
            "could not be used");
        Assert.Equal(HttpStatusCode.OK,
            (await Post($"/api/encode?name=x.{new string('w', 300)}&refine=0", new ByteArrayContent(hit))).Status);
        Refused(await Post($"/api/encode?name=hit.wav&refine={InstrumentServer.MaxRefineSteps + 1}",
            new ByteArrayContent(hit)), "refine");

        // A latent the model has never seen but inside the bounds may decode loud: the page gets it at full scale at
        // most, and the gain.
        var info = JsonDocument.Parse(await http.GetStringAsync("/api/model")).RootElement.GetProperty("pca");
        var mean = info.GetProperty("mean").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var std = info.GetProperty("std").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var far = mean.Select((m, i) => m + 40 * std.Max() * (i % 2 == 0 ? 1 : -1) / 8).ToArray();
        var loud = await http.PostAsJsonAsync("/api/decode", new { latent = far });
        Assert.Equal(HttpStatusCode.OK, loud.StatusCode);
        var samples = WavReader.Read(await loud.Content.ReadAsByteArrayAsync(), "loud.wav").Channels[0];
        Assert.True(samples.Max(Math.Abs) <= OutputLevel.Ceiling + 1e-4f,
            "the page gets what decode writes: the one output rule");
        Assert.True(double.Parse(loud.Headers.GetValues("X-Gain-Db").Single(),
            System.Globalization.CultureInfo.InvariantCulture) <= 0);

        // A long refine runs on its own copy of the model: a decode sent meanwhile is answered first.
        var refining = Post($"/api/encode?name=hit.wav&refine={InstrumentServer.MaxRefineSteps}",
            new ByteArrayContent(hit));
        await Task.Delay(200);
        var decode = await http.PostAsJsonAsync("/api/decode", new { latent = mean });
        Assert.Equal(HttpStatusCode.OK, decode.StatusCode);
        Assert.False(refining.IsCompleted, "the refine should still be running when the decode comes back");
        Assert.Equal(HttpStatusCode.OK, (await refining).Status);
    }

    [Fact]
    public async Task Only_the_newest_waiting_decode_runs()
    {
        using var dir = new TempDir();
        string model = TinyData.TrainModel(dir, TinyData.Build(dir));
        using var service = new DecodeService(new ModelRunner(model));
        // Hold the model thread, queue many decodes behind it: all but the last are superseded.
        var gate = new ManualResetEventSlim();
        var blocker = service.RunAsync(_ => gate.Wait(TimeSpan.FromSeconds(10)));
        var requests = Enumerable.Range(0, 20).Select(i =>
            service.DecodeAsync(Enumerable.Repeat(i * 0.1f, 8).ToArray())).ToList();
        gate.Set();
        await blocker;
        var results = await Task.WhenAll(requests);
        Assert.All(results.Take(19), r => Assert.True(r.Superseded));
        Assert.False(results[^1].Superseded);
        Assert.Equal(8192, results[^1].Audio!.Length);
        service.Runner.Dispose();
    }

    [Fact]
    public async Task When_an_older_request_overtakes_the_newest_and_replaces_it_the_page_asks_again()
    {
        using var dir = new TempDir();
        string model = TinyData.TrainModel(dir, TinyData.Build(dir));
        await using var server = await InstrumentServer.StartAsync(model, 0);
        await using var chromium = await Browser.OpenAsync(server.Url);
        var page = chromium.Page;
        await page.WaitForFunctionAsync("() => document.body.dataset.decodes === '1'");

        // The server answers the next decode as superseded, as it does when an older request arrives after it.
        int intercepted = 0;
        await page.RouteAsync("**/api/decode", async route =>
        {
            if (Interlocked.Increment(ref intercepted) == 1)
                await route.FulfillAsync(new RouteFulfillOptions { Status = 409, ContentType = "application/json",
                    Body = "{\"error\": \"superseded by a newer decode request\"}" });
            else await route.ContinueAsync();
        });
        await page.EvaluateAsync("() => window.oneshot.setLatent(window.oneshot.latent.map(v => v + 0.5))");
        await page.WaitForFunctionAsync("() => document.body.dataset.decodes === '2' && window.oneshot.applied === " +
            "window.oneshot.requested");
        Assert.Equal(2, intercepted);
        Assert.Equal("", (await page.Locator("#error").TextContentAsync())!.Trim());
    }

    [Fact]
    public async Task A_person_moves_a_slider_plays_it_and_keeps_a_preset_in_chromium()
    {
        using var dir = new TempDir();
        string model = TinyData.TrainModel(dir, TinyData.Build(dir));
        await using var server = await InstrumentServer.StartAsync(model, 0);
        await using var chromium = await Browser.OpenAsync(server.Url, acceptDownloads: true);
        var page = chromium.Page;

        await page.WaitForFunctionAsync("() => document.body.dataset.decodes === '1'");
        double first =
            await page.EvaluateAsync<double>("() => window.oneshot.buffer.getChannelData(0).reduce((a, v) => a + " +
            "Math.abs(v), 0)");
        var start = await page.EvaluateAsync<double[]>("() => window.oneshot.latent");
        // It opens on a draw from the prior (seed 1), not on the latents' quiet mean.
        using (var http = new HttpClient { BaseAddress = new Uri(server.Url) })
        {
            var drawn =
                JsonDocument.Parse(
                await http.GetStringAsync("/api/sample?temperature=1&seed=1")).RootElement.GetProperty("latent")
                .EnumerateArray().Select(v => v.GetSingle());
            Assert.Equal(drawn, start.Select(v => (float)v));
        }
        // The page holds exactly the decoded samples, at the model's rate (read from the float WAV, not resampled).
        var held =
            await page.EvaluateAsync<float[]>("() => Array.from(window.oneshot.buffer.getChannelData(0).slice(0, " +
            "4000))");
        // TinyData rate; decodeAudioData would have resampled it
        Assert.Equal(8000, await page.EvaluateAsync<int>("() => window.oneshot.buffer.sampleRate"));
        using (var runner = new ModelRunner(model))
        {
            // At the output level: the page opens on a prior draw, which may decode louder than full scale.
            var decoded = OutputLevel.Fitted(runner.Decode([start.Select(v => (float)v).ToArray()])[0]);
            for (int i = 0; i < held.Length; i++)
                Assert.Equal(decoded[i], held[i], 1e-6f);   // threads may sum in another order
        }

        // A slider move decodes a different sound in the background.
        await page.Locator("#pc-0").FillAsync("2.5");
        await page.WaitForFunctionAsync("() => Number(document.body.dataset.decodes) >= 2 && window.oneshot.applied " +
            "=== window.oneshot.requested");
        double second =
            await page.EvaluateAsync<double>("() => window.oneshot.buffer.getChannelData(0).reduce((a, v) => a + " +
            "Math.abs(v), 0)");
        Assert.NotEqual(first, second);
        var moved = await page.EvaluateAsync<double[]>("() => window.oneshot.latent");
        Assert.NotEqual(start, moved);
        Assert.Contains("decode", await page.Locator("#timing").TextContentAsync());

        // MIDI learn: tick it, touch a slider, turn a knob — that CC moves the slider from then on, and the page says
        // so.
        await page.Locator("#midi-learn").CheckAsync();
        await page.Locator("#pc-1").DispatchEventAsync("pointerdown");
        await page.EvaluateAsync("() => window.oneshot.handleMidi([0xB0, 21, 64])");
        Assert.Contains("CC 21", await page.Locator("label[for='pc-1']").TextContentAsync());
        await page.Locator("#midi-learn").UncheckAsync();
        var beforeKnob = await page.EvaluateAsync<double[]>("() => window.oneshot.latent");
        await page.EvaluateAsync("() => window.oneshot.handleMidi([0xB1, 21, 0])");   // any channel
        Assert.Equal(-3, double.Parse(await page.Locator("#pc-1").InputValueAsync(),
            System.Globalization.CultureInfo.InvariantCulture));
        await page.WaitForFunctionAsync("() => window.oneshot.applied === window.oneshot.requested");
        Assert.NotEqual(beforeKnob, await page.EvaluateAsync<double[]>("() => window.oneshot.latent"));
        await page.EvaluateAsync("() => window.oneshot.handleMidi([0x90, 21, 0])");   // a note-off is no knob
        Assert.Equal(-3, double.Parse(await page.Locator("#pc-1").InputValueAsync(),
            System.Globalization.CultureInfo.InvariantCulture));

        // The waveform at its true level: its highest point sits where the sound's peak is on a full-scale axis.
        var level = await page.EvaluateAsync<double[]>(@"() => {
            const canvas = document.getElementById('wave'), g = canvas.getContext('2d');
            const pixels = g.getImageData(0, 0, canvas.width, canvas.height).data;
            let top = canvas.height;
            for (let y = 0; y < canvas.height && top === canvas.height; y++)
              for (let x = 0; x < canvas.width; x++) {
                const p = 4 * (y * canvas.width + x);
                if (pixels[p] < 150 && pixels[p + 1] > 150 && pixels[p + 2] > 200) { top = y; break; }
              }
            const peak = window.oneshot.buffer.getChannelData(0).reduce((m, v) => Math.max(m, v), 0);
            return [top, canvas.height / 2 * (1 - peak)]; }");
        Assert.True(Math.Abs(level[0] - level[1]) <= 3, $"the waveform's top is at row {level[0]}, its peak belongs " +
            $"at {level[1]:F1}");
        // The spectrogram has axes (the tiny model's 8 kHz: 1 kHz ticks; its 1 s clip: quarter seconds), and a note
        // draws a playhead across it.
        Assert.Equal("1 kHz, 0.25 s", await page.Locator("#spectrogram").GetAttributeAsync("data-axes"));
        await page.Locator("#trigger").ClickAsync();
        await page.WaitForFunctionAsync("() => Number(document.body.dataset.playhead) > 0");

        // A named control shows what it spans and moves the latent to the asked place along its direction.
        Assert.Contains("Hz", await page.Locator("label[for='control-brightness']").TextContentAsync());
        var beforeNamed = await page.EvaluateAsync<double[]>("() => window.oneshot.latent");
        await page.Locator("#control-brightness").FillAsync("1.5");
        await page.WaitForFunctionAsync("() => window.oneshot.applied === window.oneshot.requested");
        Assert.Equal(1.5,
            await page.EvaluateAsync<double>("() => window.oneshot.controlPosition(window.oneshot.latent, " +
            "window.oneshot.controls.find(c => c.name === 'brightness'))"), 3);
        var direction = await page.EvaluateAsync<double[]>(
            "() => window.oneshot.controls.find(c => c.name === 'brightness').direction");
        var step = (await page.EvaluateAsync<double[]>("() => window.oneshot.latent")).Zip(beforeNamed, (a, b) => a - b)
            .ToArray();
        double length = Math.Sqrt(step.Sum(v => v * v));
        Assert.True(length > 0);
        // along the direction only
        Assert.Equal(1.0, Math.Abs(step.Zip(direction, (a, b) => a * b).Sum()) / length, 6);
        // Its read-out is the brightness it predicts, in its unit, higher up the slider than down it; its fit is shown.
        static double Hz(string text) => text.EndsWith(" kHz")
            ? 1000 * double.Parse(text[..^4], CultureInfo.InvariantCulture) : double.Parse(text[..^3],
            CultureInfo.InvariantCulture);
        string up = (await page.Locator("#control-brightness-out").TextContentAsync())!;
        await page.Locator("#control-brightness").FillAsync("-1.5");
        await page.WaitForFunctionAsync("() => window.oneshot.applied === window.oneshot.requested");
        string down = (await page.Locator("#control-brightness-out").TextContentAsync())!;
        Assert.Matches(@"^[0-9.]+ k?Hz$", up);
        Assert.True(Hz(up) > Hz(down), $"brightness reads {up} at +1.5 and {down} at −1.5");
        Assert.Contains("R²", await page.Locator("label[for='control-brightness']").TextContentAsync());
        // Cross-talk in the read-outs: moving brightness moves the other qualities' read-outs too; with
        // "hold the others" ticked, brightness reaches the same place and every other read-out stays.
        const string Others = "() => window.oneshot.controls.filter(c => c.name !== 'brightness').map(c => " +
            "window.oneshot.controlPosition(window.oneshot.latent, c))";
        async Task<double[]> MoveBrightness(string to)
        {
            await page.Locator("#control-brightness").FillAsync("-1.5");
            await page.WaitForFunctionAsync("() => window.oneshot.applied === window.oneshot.requested");
            var before = await page.EvaluateAsync<double[]>(Others);
            await page.Locator("#control-brightness").FillAsync(to);
            await page.WaitForFunctionAsync("() => window.oneshot.applied === window.oneshot.requested");
            Assert.Equal(double.Parse(to, CultureInfo.InvariantCulture),
                await page.EvaluateAsync<double>("() => window.oneshot.controlPosition(window.oneshot.latent, " +
                "window.oneshot.controls.find(c => c.name === 'brightness'))"), 4);
            return [.. (await page.EvaluateAsync<double[]>(Others)).Zip(before, (a, b) => Math.Abs(a - b))];
        }
        var free = await MoveBrightness("1");
        Assert.True(free.Max() > 0.01, $"the free brightness direction moved no other read-out " +
            $"({string.Join(", ", free)})");
        await page.Locator("#hold-others").CheckAsync();
        var holding = await MoveBrightness("1");
        Assert.True(holding.Max() < 1e-4, $"held, brightness still moved another read-out by {holding.Max()}");
        await page.Locator("#hold-others").UncheckAsync();
        await page.Locator("#control-brightness").FillAsync("1.5");
        await page.WaitForFunctionAsync("() => window.oneshot.applied === window.oneshot.requested");
        moved = await page.EvaluateAsync<double[]>("() => window.oneshot.latent");
        // The header names the model and what it learnt from; Random and the kit are on the first screen of a laptop.
        Assert.Matches("trained on data", await page.Locator("#model").TextContentAsync() ?? "");
        await page.SetViewportSizeAsync(1280, 800);
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        foreach (string id in new[] { "#random", "#kit-section", "#pads" })
            Assert.True((await page.Locator(id).BoundingBoxAsync())!.Y < 800, $"{id} is below the first screen");

        // The keyboard triggers the sound in the page (the Play button above was the first trigger).
        await page.Locator("body").ClickAsync(new LocatorClickOptions { Position = new Position { X = 5, Y = 5 } });
        await page.Keyboard.PressAsync("a");
        await page.Keyboard.PressAsync("j");
        await page.WaitForFunctionAsync("() => document.body.dataset.triggers === '3'");

        // The sound downloads under a name that says what it is: the model, its brightness and decay (and pitch) as the
        // sliders read them.
        var sound = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download"));
        Assert.Matches($"^{Regex.Escape(Path.GetFileName(model))}-[0-9.]+k?Hz-[0-9.]+ms(-[0-9.]+k?Hz)?\\.wav$",
            sound.SuggestedFilename);

        // Save a preset, move away, load it back: the same latent.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#save"));
        string presetPath = dir.File("preset.json");
        await download.SaveAsAsync(presetPath);
        var preset = JsonDocument.Parse(File.ReadAllText(presetPath)).RootElement;
        Assert.Equal("oneshot-preset", preset.GetProperty("format").GetString());
        var saved = preset.GetProperty("latent").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(moved, saved);
        await page.ClickAsync("#random");
        await page.WaitForFunctionAsync($"() => JSON.stringify(window.oneshot.latent) !== " +
            $"'{JsonSerializer.Serialize(moved)}'");
        await page.Locator("#load").SetInputFilesAsync(presetPath);
        await page.WaitForFunctionAsync($"() => JSON.stringify(window.oneshot.latent) === " +
            $"'{JsonSerializer.Serialize(moved)}'");

        // Undo steps back through the history: before the load came the random sound.
        await page.ClickAsync("#undo");
        await page.WaitForFunctionAsync($"() => JSON.stringify(window.oneshot.latent) !== " +
            $"'{JsonSerializer.Serialize(moved)}'");

        // Morph pad: four corners from four sounds, a click in the middle blends them equally.
        for (int corner = 0; corner < 4; corner++)
        {
            await page.ClickAsync("#variation");
            await page.ClickAsync($"[data-corner='{corner}']");
        }
        var corners = await page.EvaluateAsync<double[][]>("() => window.oneshot.corners");
        await page.Locator("#pad").ClickAsync(new LocatorClickOptions { Position = new Position { X = 120, Y = 120 } });
        await page.WaitForFunctionAsync("() => window.oneshot.applied === window.oneshot.requested || " +
            "document.getElementById('error').textContent !== ''");
        Assert.Equal("",
            await page.EvaluateAsync<string>("() => document.getElementById('error').textContent + " +
            "(window.oneshot.applied === window.oneshot.requested ? '' : ` (applied ${window.oneshot.applied} of " +
            "${window.oneshot.requested})`)"));
        var blended = await page.EvaluateAsync<double[]>("() => window.oneshot.latent");
        for (int d = 0; d < blended.Length; d++) Assert.Equal(corners.Average(c => c[d]), blended[d], 3);
        // From the keyboard: Shift+→ moves a fifth of the way to the right-hand corners, Enter keeps it as an undo
        // step.
        int undoSteps = await page.EvaluateAsync<int>("() => window.oneshot.history.length");
        await page.Locator("#pad").FocusAsync();
        await page.Keyboard.PressAsync("Shift+ArrowRight");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => window.oneshot.applied === window.oneshot.requested");
        var moved70 = await page.EvaluateAsync<double[]>("() => window.oneshot.latent");
        for (int d = 0; d < moved70.Length; d++)
            // x = 0.7, y = 0.5
            Assert.Equal(0.15 * (corners[0][d] + corners[2][d]) + 0.35 * (corners[1][d] + corners[3][d]), moved70[d],
                3);
        Assert.True(await page.EvaluateAsync<int>("() => window.oneshot.history.length") > undoSteps);

        // A chosen (or dropped) file is encoded and becomes the current sound: the latent `oneshot encode` gives.
        string wav = dir.File("tone.wav");
        WavWriter.Write(wav, Signals.Sine(220, 44100, 30000, 0.4), 44100);
        await page.Locator("#file").SetInputFilesAsync(wav);
        float[] expected;
        using (var runner = new ModelRunner(model))
        {
            float[][] clip = [runner.PrepareFile(wav)];
            expected = runner.Refine(clip, runner.Encode(clip), LatentRefiner.DefaultSteps)[0];
        }
        await page.WaitForFunctionAsync($"() => Math.abs(window.oneshot.latent[0] - " +
            $"{expected[0].ToString(System.Globalization.CultureInfo.InvariantCulture)}) < 1e-4");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("now: tone.wav");
        await page.WaitForFunctionAsync("() => window.oneshot.applied === window.oneshot.requested");
        Assert.Equal("", (await page.Locator("#error").TextContentAsync())!.Trim());
        // The quick and the refined latent are one step: undo goes back to the sound before the file.
        await page.ClickAsync("#undo");
        Assert.Equal(moved70, await page.EvaluateAsync<double[]>("() => window.oneshot.latent"));
    }

    /// <summary>
    /// A named slider changes what it is named for. It takes a decoder that has learnt something:
    /// 120 steps with brightness trained into dimension 0 (a 5-step model's sound barely moves; at
    /// 120 steps this slider took the centroid from about 1.2 to 1.8 kHz, while a trained level
    /// dimension still ran backwards in the decoder, so level is not the one tested).
    /// </summary>
    [Fact]
    public async Task Moving_the_brightness_slider_up_makes_the_sound_brighter_in_chromium()
    {
        using var dir = new TempDir();
        string model = TinyData.TrainModel(dir, TinyData.Build(dir, count: 24), steps: 120,
            settings: ["train.attributes=[\"brightness\"]"]);
        await using var server = await InstrumentServer.StartAsync(model, 0);
        await using var chromium = await Browser.OpenAsync(server.Url);
        var page = chromium.Page;
        await page.WaitForFunctionAsync("() => document.body.dataset.decodes === '1'");
        Assert.Contains("trained", await page.Locator("#named-note").TextContentAsync());

        async Task<double> CentroidAt(string position)
        {
            int before = await page.EvaluateAsync<int>("() => window.oneshot.decodes");
            await page.Locator("#control-brightness").FillAsync(position);
            await page.WaitForFunctionAsync($"() => window.oneshot.decodes > {before} && window.oneshot.applied === " +
                $"window.oneshot.requested");
            var samples =
                await page.EvaluateAsync<float[]>("() => Array.from(window.oneshot.buffer.getChannelData(0))");
            return Descriptors.Spectral(samples, 8000).CentroidHz;
        }
        double dark = await CentroidAt("-2"), bright = await CentroidAt("2");
        Assert.True(bright > dark, $"centroid {dark:F0} Hz at −2, {bright:F0} Hz at +2");
    }
}
