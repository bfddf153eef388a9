using Oneshot.Audio;
using Oneshot.Data;
using Oneshot.Generation;
using Oneshot.Maps;
using Oneshot.Tests.Cli;
using Oneshot.Tests.Training;

namespace Oneshot.Tests.Maps;

public class SoundMapTests
{
    [Fact]
    public void A_library_is_mapped_once_and_a_rebuild_encodes_only_what_is_new_or_changed()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir);
        string model = TinyData.TrainModel(dir, data);
        var (code, output, error) = CliTests.Oneshot("map", model, data, "--out", dir.File("map"), "--threads", "1");
        Assert.True(code == 0, error + output);
        CliTests.AssertNoLibraryWarnings(output + error);
        var (map, latents) = SoundMap.Load(dir.File("map"));
        int clips;
        using (var store = new ClipStore(data))
        {
            clips = store.Count;
            Assert.Equal(clips, map.Sounds.Length);
            Assert.Equal("tsne", map.Layout);
            // The map's latents are the encoder's own (refining is off by default).
            using var runner = new ModelRunner(model);
            var first = runner.Encode([store.Read(0)])[0];
            // batched differently: float rounding only
            Assert.All(first.Zip(latents[0]), pair => Assert.Equal(pair.First, pair.Second, 1e-4));
            Assert.Equal(store.Meta[0].TextLabel("class"), map.Sounds[0].Class);
        }
        Assert.All(map.Sounds,
            s => Assert.True(s.Pca.Length == 2 && s.Pca.All(double.IsFinite) && s.Layout!.All(double.IsFinite)));
        Assert.All(map.Axes, axis => Assert.Equal(1, axis.Sum(a => a * a), 6));
        Assert.True(map.VarianceShare[0] >= map.VarianceShare[1] && map.VarianceShare[0] <= 1);

        // Three new files: only they are encoded; a file changed afterwards is encoded again.
        string folder = dir.File("new");
        Directory.CreateDirectory(folder);
        for (int i = 0; i < 3; i++)
            WavWriter.Write(Path.Combine(folder, $"tone{i}.wav"),
                Signals.Sine(200 * (i + 1), 8000, 4000, amplitude: 0.5), 8000);
        (code, output, error) = CliTests.Oneshot("map", model, data, folder, "--out", dir.File("map"), "--threads",
            "1");
        Assert.True(code == 0, error + output);
        Assert.Contains("(3 encoded, " + clips + " reused", output);
        (map, _) = SoundMap.Load(dir.File("map"));
        Assert.Equal(clips + 3, map.Sounds.Length);
        var tone = map.Sounds.Single(s => s.Source.EndsWith("tone1.wav", StringComparison.Ordinal));
        Assert.Null(tone.Class);
        Assert.True(tone.Qualities["brightness"] is double b && double.IsFinite(b));

        WavWriter.Write(Path.Combine(folder, "tone1.wav"), Signals.Sine(900, 8000, 4000, amplitude: 0.5), 8000);
        File.SetLastWriteTimeUtc(Path.Combine(folder, "tone1.wav"), DateTime.UtcNow.AddMinutes(1));
        (code, output, error) = CliTests.Oneshot("map", model, data, folder, "--out", dir.File("map"), "--threads",
            "1");
        Assert.True(code == 0, error + output);
        Assert.Contains("(1 encoded, " + (clips + 2) + " reused", output);

        (code, _, error) = CliTests.Oneshot("map", model, dir.File("nowhere"), "--out", dir.File("map2"));
        Assert.Equal(1, code);
        Assert.Contains("nowhere", error);
        Assert.DoesNotContain("   at ", error);
    }
}
