using System.Text.Json;
using Oneshot.Audio;
using Oneshot.Data.Recipes;
using Oneshot.Tests.Cli;

namespace Oneshot.Tests.Data;

public class DupesTests
{
    [Fact]
    public void The_same_sound_quieter_or_with_faint_hiss_is_found_and_different_sounds_are_not()
    {
        using var dir = new TempDir();
        const int rate = 44100;
        float[] Sound(string kind, int seed) =>
            SyntheticRecipe.Generate(kind, rate, rate, new Random(seed), new Random(seed + 100));
        var kick = Sound("kick", 1);
        Directory.CreateDirectory(dir.File("library/kits"));
        WavWriter.Write(dir.File("library/kick.wav"), kick, rate);
        WavWriter.Write(dir.File("library/kits/kick-quiet.wav"), [.. kick.Select(v => v * 0.3f)], rate);
        var hiss = new Random(5);
        WavWriter.Write(dir.File("library/kits/kick-hiss.wav"),
            [.. kick.Select(v => v + (float)((hiss.NextDouble() * 2 - 1) * 0.002))], rate);
        WavWriter.Write(dir.File("library/snare.wav"), Sound("snare", 2), rate);
        WavWriter.Write(dir.File("library/other-kick.wav"), Sound("kick", 3), rate);
        WavWriter.Write(dir.File("library/bell.wav"), Sound("bell", 4), rate);

        var (code, output, error) = CliTests.Oneshot("data", "dupes", dir.File("library"), "--json",
            dir.File("dupes.json"));
        Assert.True(code == 0, error + output);
        var groups = JsonDocument.Parse(File.ReadAllText(dir.File("dupes.json"))).RootElement.EnumerateArray().ToList();
        var group = Assert.Single(groups);
        Assert.Equal(["kick-hiss.wav", "kick-quiet.wav", "kick.wav"],
            group.GetProperty("files").EnumerateArray().Select(f => Path.GetFileName(f.GetString()!))
                .Order(StringComparer.Ordinal));
        Assert.Contains("3 as one sound", output);

        (code, _, error) = CliTests.Oneshot("data", "dupes", dir.File("library/kick.wav"));
        Assert.Equal(1, code);
        Assert.Contains("at least two", error);
    }
}
