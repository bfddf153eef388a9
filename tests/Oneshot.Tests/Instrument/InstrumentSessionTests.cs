using System.IO.Compression;
using Oneshot.Audio;
using Oneshot.Instrument;
using Oneshot.Tests.Training;

namespace Oneshot.Tests.Instrument;

/// <summary>The instrument's logic without HTTP: what the page's routes hand on to
/// <see cref="InstrumentSession"/>.</summary>
[Collection(BrowserCollection.Name)]
// with InstrumentTests, not beside it: both leave oneshot-upload-* files while they run
public class InstrumentSessionTests
{
    [Fact]
    public async Task The_session_checks_latents_levels_its_sounds_draws_encodes_and_zips_a_kit()
    {
        using var dir = new TempDir();
        string model = TinyData.TrainModel(dir, TinyData.Build(dir, count: 12));
        await Assert.ThrowsAsync<OneshotException>(() =>
            InstrumentSession.OpenAsync(model, refineSteps: InstrumentSession.MaxRefineSteps + 1));
        using var session = await InstrumentSession.OpenAsync(model, refineSteps: 0);
        int size = session.Runner.LatentSize;

        Assert.Contains("missing", session.CheckLatent(null));
        Assert.Contains($"{size + 1} values", session.CheckLatent(new float[size + 1]));
        Assert.Contains("standard deviations", session.CheckLatent(Enumerable.Repeat(1e4f, size).ToArray()));
        Assert.Null(session.CheckLatent(new float[size]));
        await Assert.ThrowsAsync<OneshotException>(() => session.DecodeAsync(new float[size + 1]));

        // A latent the decoder makes loud comes back at the one output level, turned down by the gain it reports.
        var loud = Enumerable.Repeat(40f, size).ToArray();
        var sound = await session.DecodeAsync(loud);
        Assert.NotNull(sound);
        var raw = session.Runner.Decode([loud])[0];
        Assert.True(raw.Max(Math.Abs) > OutputLevel.Ceiling, "the test latent must decode louder than full scale");
        Assert.True(sound.GainDb < 0 && sound.Audio.Max(Math.Abs) <= OutputLevel.Ceiling + 1e-6,
            $"peak {sound.Audio.Max(Math.Abs)}, gain {sound.GainDb} dB");
        Assert.Equal(OutputLevel.Fit(raw).GainDb, sound.GainDb, 3);
        // a pad sounds as the sliders do (the other model copy: threads may sum in another order)
        var pad = await session.RenderPadAsync(loud);
        for (int i = 0; i < pad.Length; i++) Assert.Equal(sound.Audio[i], pad[i], 1e-5f);

        // Draws are reproducible by seed; a prior the model does not have, or a temperature out of range, is refused.
        var (first, trained) = await session.SampleAsync(1, seed: 5, "auto");
        Assert.False(trained);
        Assert.Equal(first, (await session.SampleAsync(1, seed: 5, "standard")).Latent);
        await Assert.ThrowsAsync<OneshotException>(() => session.SampleAsync(1, 5, "trained"));
        await Assert.ThrowsAsync<OneshotException>(() => session.SampleAsync(11, 5, "auto"));
        await Assert.ThrowsAsync<OneshotException>(() => session.SampleAsync(1, 5, "warm"));

        // A file that is not audio is named in the error, and its temporary copy is gone.
        int before = Directory.GetFiles(Path.GetTempPath(), "oneshot-upload-*").Length;
        var unusable = await Assert.ThrowsAsync<UnusableFileException>(() =>
            session.EncodeUploadAsync(s => s.WriteAsync("not audio"u8.ToArray()).AsTask(), "junk.wav", 0));
        Assert.Contains("junk.wav", unusable.Message);
        Assert.Equal(before, Directory.GetFiles(Path.GetTempPath(), "oneshot-upload-*").Length);
        WavWriter.Write(dir.File("hit.wav"), Signals.Sine(300, 44100, 20000, 0.5), 44100);
        var hit = File.ReadAllBytes(dir.File("hit.wav"));
        var encoded = await session.EncodeUploadAsync(s => s.WriteAsync(hit).AsTask(), "hit.wav", 0);
        Assert.Equal(size, encoded.Length);

        // The kit: a pad from a prior draw, then the zip, named from the kit's name without its unsafe characters.
        var (padLatent, source) = await session.FindPadAsync("""{"name": "draw", "prior": true, "seed": 3}""");
        Assert.Equal(size, padLatent.Length);
        Assert.False(string.IsNullOrEmpty(source));
        string latentJson =
            string.Join(", ", encoded.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var (zip, fileName) = await session.ExportKitAsync(
            $$"""{"name": "My kit/../x", "pads": [{"name": "hit", "latent": [{{latentJson}}]}]}""");
        Assert.Equal("My-kit----x.zip", fileName);
        using var archive = new ZipArchive(new MemoryStream(zip));
        Assert.Contains(archive.Entries, e => e.FullName.EndsWith(".wav", StringComparison.Ordinal));
        // the kit, to open again
        Assert.Contains(archive.Entries, e => e.FullName == Oneshot.Kits.KitExport.DescriptionFile);
        var far = string.Join(", ", Enumerable.Repeat("1e4", size));
        var refused = await Assert.ThrowsAsync<OneshotException>(() =>
            session.ExportKitAsync($$"""{"name": "k", "pads": [{"name": "a", "latent": [{{far}}]}]}"""));
        Assert.StartsWith("Pad 1:", refused.Message);
    }

    [Fact]
    public async Task A_folder_of_the_users_sounds_is_mapped_in_place_of_the_map_and_a_wrong_one_is_named()
    {
        using var dir = new TempDir();
        string model = TinyData.TrainModel(dir, TinyData.Build(dir, count: 12));
        using var session = await InstrumentSession.OpenAsync(model, refineSteps: 0);
        var wrong = Assert.Throws<OneshotException>(() => session.Map.MapFolder(dir.File("nowhere"), dir.File("maps")));
        Assert.Contains("nowhere", wrong.Message);

        // Five sounds in a folder and one in a folder inside it: all six mapped, none of them a training clip.
        Directory.CreateDirectory(dir.File("mine/more"));
        for (int i = 0; i < 6; i++)
            WavWriter.Write(dir.File(i < 5 ? $"mine/hit{i}.wav" : "mine/more/hit5.wav"),
                Signals.Sine(200 + 150 * i, 8000, 4000, 0.5), 8000);
        session.Map.MapFolder(dir.File("mine"), dir.File("maps"));
        var map = await session.Map.GetAsync();
        Assert.False(map.OfTrainingClips);
        Assert.Equal(6, map.Map.Sounds.Length);
        Assert.StartsWith(dir.File("maps"), map.Directory);
        Assert.Equal(6, map.Latents.Length);
        // An original of the new map plays: its sound 0 is one of the files, prepared as the model's clips are.
        Assert.NotEmpty(await session.Map.OriginalAsync(0));
    }
}
