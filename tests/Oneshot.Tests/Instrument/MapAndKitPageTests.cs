using System.Globalization;
using System.Net;
using System.Text.Json;
using Oneshot.Audio;
using Oneshot.Cli.Web;
using Oneshot.Data;
using Oneshot.Maps;
using Oneshot.Tests.Cli;
using Oneshot.Tests.Training;

namespace Oneshot.Tests.Instrument;

[Collection(BrowserCollection.Name)]
public class MapAndKitPageTests
{
    [Fact]
    public async Task On_the_map_hovering_plays_a_sound_and_clicking_between_dots_decodes_a_new_one_in_chromium()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir);
        string model = TinyData.TrainModel(dir, data);
        var (code, output, error) = CliTests.Oneshot("map", model, data, "--out", dir.File("map"), "--threads", "1");
        Assert.True(code == 0, error + output);
        var (map, latents) = SoundMap.Load(dir.File("map"));

        await using var server = await InstrumentServer.StartAsync(model, 0, mapDirectory: dir.File("map"));
        await using var chromium = await Browser.OpenAsync(server.Url);
        var page = chromium.Page;
        await page.WaitForFunctionAsync($"() => document.body.dataset.mapSounds === '{map.Sounds.Length}' && " +
            $"document.body.dataset.decodes === '1'");

        await page.Locator("#map").ScrollIntoViewIfNeededAsync();
        // The dots fill the canvas (t-SNE: each axis stretched), each class has its own colour named in the legend, and
        // the current sound is marked.
        var extent =
            await page.EvaluateAsync<double[]>("() => { const p = window.oneshot.map.canvasPoints, xs = p.filter((_, " +
            "i) => i % 2 === 0), ys = p.filter((_, i) => i % 2 === 1); return [Math.min(...xs), Math.max(...xs), " +
            "Math.min(...ys), Math.max(...ys)]; }");
        Assert.True(extent[1] - extent[0] > 0.9 * 1100 && extent[3] - extent[2] > 0.9 * 520, string.Join(", ", extent));
        var classColours = await page.EvaluateAsync<string[]>("() => [...window.oneshot.map.classColours.values()]");
        Assert.Equal(map.Sounds.Select(s => s.Class).Distinct().Count(), classColours.Length);
        Assert.Equal(classColours.Length, classColours.Distinct().Count());
        foreach (var name in map.Sounds.Select(s => s.Class).Distinct())
            Assert.Contains(name!, await page.Locator("#map-legend").InnerTextAsync());
        Assert.NotNull(await page.EvaluateAsync<double[]?>("() => window.oneshot.map.current"));
        // Where a canvas point is on the screen.
        const string OnScreen = "([x, y]) => { const r = document.getElementById('map').getBoundingClientRect(); " +
            "const c = document.getElementById('map'); return [r.left + x * r.width / c.width, r.top + y * r.height " +
            "/ c.height]; }";
        var dot =
            await page.EvaluateAsync<double[]>(
            $"() => ({OnScreen})(window.oneshot.mapToCanvas(window.oneshot.map.data.sounds[3].position))");
        await page.Mouse.MoveAsync((float)dot[0], (float)dot[1]);
        await page.WaitForFunctionAsync("() => document.body.dataset.auditions === '1'");
        // What plays is the original clip, as the dataset holds it.
        var heard =
            await page.EvaluateAsync<float[]>(
            "() => Array.from(window.oneshot.map.buffers.get(3).getChannelData(0).slice(0, 2000))");
        using (var store = new ClipStore(data))
        {
            var original = store.Read(3);
            for (int i = 0; i < heard.Length; i++) Assert.Equal(original[i], heard[i]);
        }

        // Clicking between dots decodes a new sound from a blend of the nearest sounds' latents.
        var empty = await page.EvaluateAsync<double[]>(@"() => {
            let best = null;
            for (let x = 20; x < 1080; x += 8) for (let y = 20; y < 500; y += 8) {
              const [[, d2]] = window.oneshot.nearestDots(x, y, 1);
              if (d2 > 400 && (!best || d2 < best[2])) best = [x, y, d2];
            }
            return [best[0], best[1]]; }");
        var emptyOnScreen = await page.EvaluateAsync<double[]>($"() => ({OnScreen})([{empty[0]}, {empty[1]}])");
        await page.Mouse.ClickAsync((float)emptyOnScreen[0], (float)emptyOnScreen[1]);
        await page.WaitForFunctionAsync("() => Number(document.body.dataset.decodes) >= 2 && window.oneshot.applied " +
            "=== window.oneshot.requested");
        Assert.Equal("blend", await page.EvaluateAsync<string>("() => window.oneshot.map.lastClick.kind"));
        var made = await page.EvaluateAsync<double[]>("() => window.oneshot.latent");
        Assert.All(latents, z => Assert.True(z.Zip(made).Sum(p => Math.Abs(p.First - p.Second)) > 1e-6,
            "the new sound is one of the mapped sounds"));
        Assert.Contains("t-SNE", await page.Locator("#map-how").TextContentAsync());

        // "Similar" marks the sounds whose latents are nearest the current one.
        await page.Locator("#similar").ClickAsync();
        Assert.Equal(8, await page.EvaluateAsync<int>("() => window.oneshot.map.highlighted.size"));

        // From the keyboard: focused, the map goes to the nearest sound to the right and plays it; Enter makes it the
        // current sound.
        await page.Locator("#map").FocusAsync();
        int heardBefore = await page.EvaluateAsync<int>("() => window.oneshot.map.auditions");
        double startX =
            await page.EvaluateAsync<double>("() => window.oneshot.map.hovered >= 0 ? " +
            "window.oneshot.map.canvasPoints[2 * window.oneshot.map.hovered] : -1");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.WaitForFunctionAsync($"() => window.oneshot.map.auditions > {heardBefore}");
        int chosen = await page.EvaluateAsync<int>("() => window.oneshot.map.hovered");
        Assert.True(chosen >= 0);
        Assert.True(await page.EvaluateAsync<double>($"() => window.oneshot.map.canvasPoints[{2 * chosen}]") > startX);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => window.oneshot.applied === window.oneshot.requested");
        var taken = await page.EvaluateAsync<double[]>("() => window.oneshot.latent");
        for (int d = 0; d < taken.Length; d++) Assert.Equal(latents[chosen][d], taken[d], 5);

        // Zoom: the wheel over a dot enlarges the map around it (the dot stays under the pointer, its neighbours
        // spread); 0 fits it again.
        const string Place = "i => [window.oneshot.map.canvasPoints[2 * i], window.oneshot.map.canvasPoints[2 * i + " +
            "1]]";
        var dotBefore = await page.EvaluateAsync<double[]>($"() => ({Place})(3)");
        double scaleBefore = await page.EvaluateAsync<double>("() => window.oneshot.map.box.scaleX");
        var pointer = await page.EvaluateAsync<double[]>($"() => ({OnScreen})(({Place})(3))");
        await page.Mouse.MoveAsync((float)pointer[0], (float)pointer[1]);
        await page.Mouse.WheelAsync(0, -100);
        await page.WaitForFunctionAsync($"() => window.oneshot.map.box.scaleX > " +
            $"{scaleBefore.ToString(CultureInfo.InvariantCulture)}");
        var dotAfter = await page.EvaluateAsync<double[]>($"() => ({Place})(3)");
        Assert.True(Math.Abs(dotAfter[0] - dotBefore[0]) < 1 && Math.Abs(dotAfter[1] - dotBefore[1]) < 1,
            "the dot under the pointer moved");
        Assert.Equal(1.25, await page.EvaluateAsync<double>("() => window.oneshot.map.box.scaleX") / scaleBefore, 6);
        // Shift+drag pans by what the pointer moved (in canvas units) and chooses no sound.
        int clicksBefore = await page.EvaluateAsync<int>("() => window.oneshot.map.clicks");
        await page.Keyboard.DownAsync("Shift");
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((float)pointer[0] + 40, (float)pointer[1],
            new Microsoft.Playwright.MouseMoveOptions { Steps = 4 });
        await page.Mouse.UpAsync();
        await page.Keyboard.UpAsync("Shift");
        var dotPanned = await page.EvaluateAsync<double[]>($"() => ({Place})(3)");
        double canvasPerPixel =
            await page.EvaluateAsync<double>("() => document.getElementById('map').width / " +
            "document.getElementById('map').getBoundingClientRect().width");
        Assert.Equal(dotAfter[0] + 40 * canvasPerPixel, dotPanned[0], 0);
        Assert.Equal(clicksBefore, await page.EvaluateAsync<int>("() => window.oneshot.map.clicks"));
        await page.Locator("#map").FocusAsync();
        await page.Keyboard.PressAsync("0");
        Assert.Equal(scaleBefore, await page.EvaluateAsync<double>("() => window.oneshot.map.box.scaleX"), 6);
        Assert.Equal(dotBefore, await page.EvaluateAsync<double[]>($"() => ({Place})(3)"));

        // A folder of the user's own sounds, typed on the page, is mapped in place of this map; a folder that is not
        // there is named beside the button, and clicking it again after that error still clicks (the error does not
        // move the page as the pointer goes down).
        var pageErrors = new List<string>();
        page.PageError += (_, message) => pageErrors.Add(message);
        await page.Locator("#map-folder").FillAsync(dir.File("nowhere"));
        await page.Locator("#map-folder-button").ClickAsync();
        await page.WaitForSelectorAsync(".control-error");
        Assert.Contains("nowhere", await page.Locator(".control-error").InnerTextAsync());
        Directory.CreateDirectory(dir.File("mine"));
        for (int i = 0; i < 5; i++)
            WavWriter.Write(dir.File($"mine/hit{i}.wav"), Signals.Sine(200 + 150 * i, 8000, 4000, 0.5), 8000);
        await page.Locator("#map-folder").FillAsync(dir.File("mine"));
        await page.Locator("#map-folder-button").ClickAsync();
        for (int waited = 0; waited < 600 && pageErrors.Count == 0
            && await page.EvaluateAsync<string>("() => document.body.dataset.mapSounds") != "5"; waited++)
            await Task.Delay(100);
        Assert.True(await page.EvaluateAsync<string>("() => document.body.dataset.mapSounds") == "5",
            string.Join("\n", pageErrors) + " | " + await page.Locator("#map-status").InnerTextAsync() + " | " +
            await page.Locator("#error").InnerTextAsync());
        Assert.Contains("mine", await page.Locator("#map-name").InnerTextAsync());
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.oneshot.map.buffers.size"));
    }

    [Fact]
    public async Task Without_a_map_the_page_gets_the_models_training_clips_mapped_once_and_a_wrong_map_is_refused()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir);
        string model = TinyData.TrainModel(dir, data);
        await using (var server = await InstrumentServer.StartAsync(model, 0))
        {
            using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
            // While the map is built, /api/map/progress says so (and how many clips are encoded); after, it says
            // nothing runs.
            var building = http.GetAsync("/api/map");
            var seen = new List<JsonElement>();
            while (!building.IsCompleted)
            {
                seen.Add(JsonDocument.Parse(await http.GetStringAsync("/api/map/progress")).RootElement.Clone());
                await Task.Delay(5);
            }
            Assert.Contains(seen, p => p.GetProperty("building").GetBoolean());
            Assert.All(seen.Where(p => p.GetProperty("total").GetInt32() > 0),
                p => Assert.InRange(p.GetProperty("done").GetInt32(), 0, p.GetProperty("total").GetInt32()));
            Assert.False(JsonDocument.Parse(await http.GetStringAsync("/api/map/progress")).RootElement.GetProperty(
                "building").GetBoolean());
            var response = await building;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True(root.GetProperty("of_training_clips").GetBoolean());
            using var store = new ClipStore(data);
            Assert.Equal(store.Count, root.GetProperty("sounds").GetArrayLength());
            Assert.True(SoundMap.Exists(Path.Combine(model, "map")));
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/map/sound/{store.Count}")).StatusCode);
            // The kit API checks what it is sent: a latent far outside the model's range names its pad.
            int size = JsonDocument.Parse(await http.GetStringAsync("/api/model")).RootElement.GetProperty(
                "latent_size").GetInt32();
            var far =
                new StringContent(
                $$"""{"pads": [{"latent": [{{string.Join(",", Enumerable.Repeat("1e30", size))}}]}]}""",
                System.Text.Encoding.UTF8, "application/json");
            var refusedKit = await http.PostAsync("/api/kit", far);
            Assert.Equal(HttpStatusCode.BadRequest, refusedKit.StatusCode);
            Assert.Contains("Pad 1", await refusedKit.Content.ReadAsStringAsync());
        }

        // A map made with other weights is refused at start, with what to do.
        string other = TinyData.TrainModel(dir, data, name: "other", steps: 3);
        var (code, output, error) = CliTests.Oneshot("map", other, data, "--out", dir.File("other-map"), "--threads",
            "1");
        Assert.True(code == 0, error + output);
        var refused = await Assert.ThrowsAsync<OneshotException>(() =>
            InstrumentServer.StartAsync(model, 0, mapDirectory: dir.File("other-map")));
        Assert.Contains("other weights", refused.Message);
    }

    [Fact]
    public async Task A_kit_is_filled_on_the_page_played_from_the_keys_and_exported_for_samplers_in_chromium()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir);
        string model = TinyData.TrainModel(dir, data);
        await using var server = await InstrumentServer.StartAsync(model, 0);
        await using var chromium = await Browser.OpenAsync(server.Url, acceptDownloads: true);
        var page = chromium.Page;
        await page.WaitForFunctionAsync("() => document.body.dataset.decodes === '1' && " +
            "document.querySelectorAll('#pad-class option').length > 0");
        // No map was named and none is built: the page offers to map the training clips instead of starting minutes of
        // work itself.
        Assert.True(await page.Locator("#map-offer").IsVisibleAsync());

        // An error shows next to the control that caused it, as well as under the sound.
        await page.Locator("#kit-export").ClickAsync();
        Assert.Equal("Fill a pad first.", await page.Locator("#kit-export + .control-error").TextContentAsync());
        Assert.Equal("alert", await page.Locator("#kit-export + .control-error").GetAttributeAsync("role"));
        Assert.Equal("Fill a pad first.", await page.Locator("#error").TextContentAsync());

        // Pad 1 from the current sound, pad 2 a sound of a training class, pad 3 from the prior.
        await page.Locator("#pad-current").ClickAsync();
        await page.WaitForFunctionAsync("() => document.body.dataset.padsReady === '1'");
        Assert.Equal(0, await page.Locator(".control-error").CountAsync());   // gone once another control is used
        var classes =
            await page.EvaluateAsync<string[]>("() => Array.from(document.querySelectorAll('#pad-class " +
            "option')).map(o => o.value)");
        Assert.Contains("kick", classes);   // the synthetic recipe's classes
        await page.Locator("#pad-1").ClickAsync();
        await page.Locator("#pad-class").SelectOptionAsync("kick");
        await page.Locator("#pad-of-class").ClickAsync();
        await page.WaitForFunctionAsync("() => document.body.dataset.padsReady === '2'");
        await page.Locator("#pad-2").ClickAsync();
        await page.Locator("#pad-prior").ClickAsync();
        await page.WaitForFunctionAsync("() => document.body.dataset.padsReady === '3'");
        Assert.Equal("kick", await page.EvaluateAsync<string>("() => window.oneshot.kit.pads[1].name"));
        await page.Locator("#pad-tune").FillAsync("-2");
        Assert.Equal(-2, await page.EvaluateAsync<double>("() => window.oneshot.kit.pads[2].tune"));
        // Three round robins on pad 3: its neighbours are decoded, and three hits in a row play three different sounds.
        await page.Locator("#pad-variations").FillAsync("3");
        await page.WaitForFunctionAsync("() => window.oneshot.kit.pads[2].others.length === 2 && " +
            "!window.oneshot.kit.pads[2].pending");
        var played = new List<string>();
        for (int hit = 0; hit < 3; hit++)
        {
            await page.Locator("body").PressAsync("3");
            played.Add(await page.EvaluateAsync<string>("() => document.body.dataset.lastPadSound"));
        }
        Assert.Equal(["0", "1", "2"], played.Order());

        // Dragged out, a pad is a WAV named as the export names it, as long as its tune makes it (2 semitones down:
        // 2^(2/12) longer).
        var dragged = await page.EvaluateAsync<double[]>(@"async () => {
            const data = new DataTransfer();
            document.querySelector('#pad-2')
              .dispatchEvent(new DragEvent('dragstart', { dataTransfer: data, bubbles: true }));
            const [type, name, ...url] = data.getData('DownloadURL').split(':');
            const bytes = await (await fetch(url.join(':'))).arrayBuffer();
            const pad = window.oneshot.kit.pads[2];
            return [type === 'audio/wav' ? 1 : 0, name === '03-prior.wav' ? 1 : 0, (bytes.byteLength - 44) / 4,
              pad.buffer.length]; }");
        Assert.Equal(1, dragged[0]);
        Assert.Equal(1, dragged[1]);
        Assert.Equal(dragged[3] * Math.Pow(2, 2 / 12.0), dragged[2], 0);

        // An empty pad's text is readable: contrast at least 4.5:1 against its button (WCAG AA).
        double contrast = await page.EvaluateAsync<double>(@"() => {
            const style = getComputedStyle(document.querySelector('#pads button.empty'));
            const linear = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
            const luminance = css => {
              const [r, g, b] = css.match(/\d+/g).slice(0, 3).map(linear);
              return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
            const [a, b] = [luminance(style.color), luminance(style.backgroundColor)].sort((x, y) => y - x);
            return (a + 0.05) / (b + 0.05); }");
        Assert.True(contrast >= 4.5, $"empty pad text contrast {contrast:F2}:1");
        // MIDI notes 36–51 play the pads unless unticked
        Assert.True(await page.Locator("#midi-kit").IsCheckedAsync());

        // Keys 1–3 play the pads.
        int before = await page.EvaluateAsync<int>("() => window.oneshot.kit.plays");
        await page.Locator("body").PressAsync("1");
        await page.Locator("body").PressAsync("3");
        Assert.Equal(before + 2, await page.EvaluateAsync<int>("() => window.oneshot.kit.plays"));

        // Export: a zip a sampler reads — three WAVs, an SFZ with a region per pad, a SoundFont.
        await page.Locator("#kit-name").FillAsync("Page kit");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#kit-export").ClickAsync());
        Assert.Equal("Page-kit.zip", download.SuggestedFilename);
        await download.SaveAsAsync(dir.File("kit.zip"));
        System.IO.Compression.ZipFile.ExtractToDirectory(dir.File("kit.zip"), dir.File("kit"));
        // pad 3 with its two round robins
        Assert.Equal(5, Directory.GetFiles(Path.Combine(dir.File("kit"), "samples"), "*.wav").Length);
        Assert.Equal(5, File.ReadAllText(Path.Combine(dir.File("kit"), "kit.sfz")).Split("<region>").Length - 1);
        Assert.Contains("seq_length=3", File.ReadAllText(Path.Combine(dir.File("kit"), "kit.sfz")));
        Assert.True(File.Exists(Path.Combine(dir.File("kit"), "kit.sf2")));
        Assert.Single(Directory.GetFiles(Path.Combine(dir.File("kit"), "hydrogen"), "drumkit.xml",
            SearchOption.AllDirectories));
        Assert.Equal([1, 1, 3],
            Oneshot.Kits.KitDescription.Load(Path.Combine(dir.File("kit"), "kit.json")).Pads.Select(p => p.Variations));

        // A reload keeps the kit: its pads, their tune and the kit's name come back from the browser's storage; so do
        // the undo history and a morph corner.
        string[] PadNames() =>
            page.EvaluateAsync<string[]>("() => window.oneshot.kit.pads.filter(p => p).map(p => p.name)").Result;
        var names = PadNames();
        await page.EvaluateAsync("() => window.oneshot.setLatent(window.oneshot.latent.map(v => v + 0.25))");
        await page.Locator("[data-corner='1']").ClickAsync();
        var corner = await page.EvaluateAsync<float[]>("() => window.oneshot.corners[1]");
        int steps = await page.EvaluateAsync<int>("() => window.oneshot.history.length");
        Assert.True(steps > 0);
        await page.WaitForFunctionAsync("() => Number(document.body.dataset.sessionSaves) > 0");
        await page.WaitForTimeoutAsync(400);   // the last edit's save is debounced by 250 ms
        await page.ReloadAsync();
        await page.WaitForFunctionAsync("() => document.body.dataset.padsReady === '3'");
        Assert.Equal(names, PadNames());
        Assert.Equal(-2, await page.EvaluateAsync<double>("() => window.oneshot.kit.pads[2].tune"));
        // its round robins made again
        Assert.Equal(2, await page.EvaluateAsync<int>("() => window.oneshot.kit.pads[2].others.length"));
        Assert.Equal("Page kit", await page.Locator("#kit-name").InputValueAsync());
        Assert.Equal(steps, await page.EvaluateAsync<int>("() => window.oneshot.history.length"));
        Assert.Equal(corner, await page.EvaluateAsync<float[]>("() => window.oneshot.corners[1]"));
        Assert.False(await page.Locator("#undo").IsDisabledAsync());

        // Clearing a pad can be undone.
        await page.Locator("#pad-2").ClickAsync();
        await page.Locator("#pad-clear").ClickAsync();
        Assert.Equal(2, PadNames().Length);
        await page.Locator("#pad-undo-clear").ClickAsync();
        Assert.Equal(names, PadNames());
        Assert.Equal(-2, await page.EvaluateAsync<double>("() => window.oneshot.kit.pads[2].tune"));

        // Randomise with a lock: the locked pad keeps its sound, the others get new ones from the prior, their names
        // and tune kept.
        var kept =
            await page.EvaluateAsync<float[][]>("() => window.oneshot.kit.pads.filter(p => p).map(p => p.latent)");
        await page.Locator("#pad-0").ClickAsync();
        await page.Locator("#pad-lock").CheckAsync();
        Assert.Contains("🔒", await page.Locator("#pad-0").InnerTextAsync());
        await page.Locator("#kit-randomise-how").SelectOptionAsync("prior");
        await page.Locator("#kit-randomise").ClickAsync();
        await page.WaitForFunctionAsync("() => window.oneshot.kit.randomised === 1 && " +
            "document.body.dataset.padsReady === '3'");
        var randomised =
            await page.EvaluateAsync<float[][]>("() => window.oneshot.kit.pads.filter(p => p).map(p => p.latent)");
        Assert.Equal(kept[0], randomised[0]);
        Assert.NotEqual(kept[1], randomised[1]);
        Assert.NotEqual(kept[2], randomised[2]);
        Assert.Equal(names, PadNames());
        Assert.Equal(-2, await page.EvaluateAsync<double>("() => window.oneshot.kit.pads[2].tune"));

        // The exported kit.json opens again on a page with nothing kept: the same pads, latents and tune.
        await page.EvaluateAsync("() => localStorage.clear()");
        await page.ReloadAsync();
        await page.WaitForFunctionAsync("() => document.body.dataset.decodes === '1'");
        Assert.Empty(PadNames());
        await page.Locator("#kit-open").SetInputFilesAsync(Path.Combine(dir.File("kit"), "kit.json"));
        await page.WaitForFunctionAsync("() => document.body.dataset.padsReady === '3'");
        // an unnamed pad was exported by its number
        Assert.Equal(names.Select((n, i) => n.Length > 0 ? n : $"pad-{i + 1}"), PadNames());
        var reopened =
            await page.EvaluateAsync<float[][]>("() => window.oneshot.kit.pads.filter(p => p).map(p => p.latent)");
        for (int pad = 0; pad < 3; pad++)
            Assert.Equal(kept[pad], reopened[pad]);   // as exported, before the randomising
        Assert.Equal(-2, await page.EvaluateAsync<double>("() => window.oneshot.kit.pads[2].tune"));
        Assert.Equal(3, await page.EvaluateAsync<int>("() => window.oneshot.kit.pads[2].variations"));
    }

    [Fact]
    public async Task A_beat_plays_the_pads_hears_a_changed_pad_next_hit_renders_a_seamless_loop_and_survives_a_reload()
    {
        using var dir = new TempDir();
        string model = TinyData.TrainModel(dir, TinyData.Build(dir));
        await using var server = await InstrumentServer.StartAsync(model, 0);
        await using var chromium = await Browser.OpenAsync(server.Url, acceptDownloads: true);
        var page = chromium.Page;
        await page.WaitForFunctionAsync("() => document.body.dataset.decodes === '1' && window.oneshot.sequencer && " +
            "document.getElementById('step-0-0')");
        await page.Locator("#pad-current").ClickAsync();
        await page.Locator("#pad-1").ClickAsync();
        await page.Locator("#pad-prior").ClickAsync();
        await page.WaitForFunctionAsync("() => document.body.dataset.padsReady === '2'");

        // Pad 1 on the downbeat, pad 2 on step 9 (the bar's half), at 150 bpm: a bar of 16 × 0.1 s.
        await page.Locator("#step-0-0").ClickAsync();
        await page.Locator("#step-1-8").ClickAsync();
        Assert.Equal("true", await page.Locator("#step-1-8").GetAttributeAsync("aria-pressed"));

        // The loop: one bar exactly, each pad at its step, and every tail that rings past the bar line
        // (at 300 bpm a bar is 0.8 s, shorter than a pad: twice over) laid over the bar's start, as the loop repeats.
        var pads =
            await page.EvaluateAsync<float[][]>("() => [0, 1].map(i => " +
            "Array.from(window.oneshot.kit.pads[i].buffer.getChannelData(0)))");
        foreach (int bpm in new[] { 150, 300 })
        {
            await page.Locator("#seq-tempo").FillAsync(bpm.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await page.Locator("#seq-tempo").DispatchEventAsync("change");
            var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#seq-render").ClickAsync());
            Assert.EndsWith($"-loop-{bpm}bpm.wav", download.SuggestedFilename);
            await download.SaveAsAsync(dir.File($"loop{bpm}.wav"));
            var loop = Oneshot.Audio.AudioFile.Read(dir.File($"loop{bpm}.wav"));
            Assert.Equal(8000, loop.SampleRate);
            int step = 8000 * 60 / bpm / 4, bar = 16 * step;
            Assert.Equal(bar, loop.Channels[0].Length);
            var expected = new double[bar];
            foreach (var (pad, start) in new[] { (pads[0], 0), (pads[1], 8 * step) })
                for (int i = 0; i < pad.Length; i++) expected[(start + i) % bar] += pad[i] * 100.0 / 127;
            double peak = expected.Max(Math.Abs), scale = peak > Oneshot.Audio.OutputLevel.Ceiling
                ? Oneshot.Audio.OutputLevel.Ceiling / peak : 1;
            for (int i = 0; i < bar; i++) Assert.Equal(expected[i] * scale, loop.Channels[0][i], 1e-4);
        }
        await page.Locator("#seq-tempo").FillAsync("150");
        await page.Locator("#seq-tempo").DispatchEventAsync("change");

        // Playing: hits follow the pattern; a pad changed while the beat plays is heard on its next hit.
        await page.Locator("#seq-play").FocusAsync();
        // Space on a focused button presses it (and does not play the sound instead)
        await page.Keyboard.PressAsync(" ");
        await page.WaitForFunctionAsync("() => window.oneshot.sequencer.hits >= 3");
        var before =
            await page.EvaluateAsync<float[]>(
            "() => Array.from(window.oneshot.kit.pads[1].buffer.getChannelData(0).slice(0, 200))");
        await page.EvaluateAsync("() => { window.replaced = window.oneshot.kit.pads[1]; }");
        await page.Locator("#pad-prior").ClickAsync();   // pad 2 is still the chosen one
        // Until the new sound is decoded the pad keeps its old one, so the beat never drops it.
        await page.WaitForFunctionAsync("() => { const pad = window.oneshot.kit.pads[1]; return pad !== " +
            "window.replaced && !pad.pending && window.oneshot.sequencer.lastBuffers[1] === pad.buffer; }");
        var after =
            await page.EvaluateAsync<float[]>(
            "() => Array.from(window.oneshot.kit.pads[1].buffer.getChannelData(0).slice(0, 200))");
        Assert.NotEqual(before, after);
        await page.Locator("#seq-play").ClickAsync();
        Assert.False(await page.EvaluateAsync<bool>("() => window.oneshot.sequencer.playing"));
        // Stop silences every hit still ringing
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.oneshot.sequencer.sources.size"));

        // A reload keeps the pattern and the tempo with the kit.
        await page.WaitForTimeoutAsync(400);   // the debounced save
        await page.ReloadAsync();
        await page.WaitForFunctionAsync("() => document.body.dataset.padsReady === '2' && " +
            "document.getElementById('step-1-8')?.getAttribute('aria-pressed') === 'true'");
        Assert.Equal("true", await page.Locator("#step-0-0").GetAttributeAsync("aria-pressed"));
        Assert.Equal("150", await page.Locator("#seq-tempo").InputValueAsync());
    }
}
