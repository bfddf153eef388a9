using Oneshot.Audio;
using Oneshot.Data;

namespace Oneshot.Tests.Data;

/// <summary>Hostile folders: link loops, kits reached through links, FIFOs named like audio.</summary>
public class InputScannerTests
{
    static void Sound(string path, int seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WavWriter.Write(path, Signals.Noise(4000, seed, 0.3), 8000);
    }

    static List<ClipSource> ScanWithin(TimeSpan limit, string input, GroupRule rule = GroupRule.Folder)
    {
        var scan = Task.Run(() => InputScanner.Scan([input], rule));
        Assert.True(scan.Wait(limit), $"scanning {input} did not end within {limit.TotalSeconds} s");
        return scan.Result;
    }

    [Fact]
    public void Link_loops_end_and_every_real_file_counts_once()
    {
        using var dir = new TempDir();
        string root = dir.File("library");
        Sound(Path.Combine(root, "kick", "a.wav"), 1);
        Sound(Path.Combine(root, "snare", "b.wav"), 2);
        // a loop through the parent
        Directory.CreateSymbolicLink(Path.Combine(root, "kick", "up"), root);
        Directory.CreateSymbolicLink(Path.Combine(root, "snare", "self"), Path.Combine(root, "snare"));
        Directory.CreateSymbolicLink(Path.Combine(root, "again"), root);

        var sources = ScanWithin(TimeSpan.FromSeconds(20), root);
        var usable = sources.Where(s => s.SkipReason is null).ToList();
        Assert.Equal(["a.wav", "b.wav"], usable.Select(s => Path.GetFileName(s.Key)).Order());
        Assert.Equal(["kick", "snare"], usable.Select(s => s.Group).Order());
        Assert.Equal(3, sources.Count(s => s.SkipReason?.Contains("already searched") == true));
    }

    [Fact]
    public void A_kit_reached_through_a_link_is_the_same_kit_and_cannot_straddle_splits()
    {
        using var dir = new TempDir();
        string root = dir.File("library");
        for (int i = 0; i < 3; i++) Sound(Path.Combine(root, "kitA", $"{i}.wav"), i);
        for (int i = 0; i < 3; i++) Sound(Path.Combine(root, "kitB", $"{i}.wav"), 10 + i);
        Directory.CreateSymbolicLink(Path.Combine(root, "zz-alias"), Path.Combine(root, "kitA"));
        File.CreateSymbolicLink(Path.Combine(root, "kitB", "linked.wav"), Path.Combine(root, "kitA", "0.wav"));

        var usable = ScanWithin(TimeSpan.FromSeconds(20), root).Where(s => s.SkipReason is null).ToList();
        Assert.Equal(6, usable.Count);
        Assert.Equal(3, usable.Count(s => s.Group == "kitA"));
        Assert.Equal(3, usable.Count(s => s.Group == "kitB"));
        Assert.DoesNotContain(usable, s => s.Key.Contains("zz-alias"));
        Assert.DoesNotContain(usable, s => s.Key.EndsWith("linked.wav"));
    }

    [Fact]
    public async Task A_fifo_named_like_audio_is_skipped_with_its_reason_not_opened()
    {
        using var dir = new TempDir();
        string root = dir.File("library");
        Sound(Path.Combine(root, "kit", "a.wav"), 1);
        Sound(Path.Combine(root, "kit", "b.wav"), 2);
        Tools.Run("mkfifo", Path.Combine(root, "kit", "pipe.wav"));

        var sources = ScanWithin(TimeSpan.FromSeconds(20), root);
        var pipe = Assert.Single(sources, s => s.Key.EndsWith("pipe.wav"));
        Assert.Contains("not a regular file", pipe.SkipReason);

        // As a user runs it: the dataset is made, and skipped.tsv says why the pipe is not in it.
        var run =
            Task.Run(() => Oneshot.Tests.Cli.CliTests.Oneshot("data", "prepare", root, "--out", dir.File("data"),
            "--length", "8000", "--sample-rate", "8000", "--min-seconds", "0.1"));
        // else data prepare hung on the FIFO
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))));
        var (code, output, error) = await run;
        Assert.True(code == 0, error + output);
        Assert.Contains("pipe.wav\tnot a regular file",
            File.ReadAllText(Path.Combine(dir.File("data"), DatasetFormat.SkippedFile)));
    }
}
