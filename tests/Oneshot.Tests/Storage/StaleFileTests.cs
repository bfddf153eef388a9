namespace Oneshot.Tests.Storage;

/// <summary>What killed writes leave behind is cleared on the next run in that folder, and only that.</summary>
public class StaleFileTests
{
    const int GoneProcess = int.MaxValue - 1;   // no process has this id

    [Fact]
    public void Leftovers_of_dead_processes_go_and_live_writes_stay()
    {
        using var dir = new TempDir();
        string Guid32() => Guid.NewGuid().ToString("N");
        string staleFile = dir.File($".checkpoint-00000100.safetensors.{GoneProcess}.{Guid32()}.tmp");
        string liveFile = dir.File($".model.safetensors.{Environment.ProcessId}.{Guid32()}.tmp");
        string stalePartial = dir.File($".data.partial-{GoneProcess}-{Guid32()}");
        string oldPartial = dir.File($".data.partial-{Guid32()}");          // written before the PID was in the name
        string recentOldPartial = dir.File($".other.partial-{Guid32()}");
        string unrelated = dir.File(".hidden-notes.tmp");
        foreach (string f in new[] { staleFile, liveFile, unrelated }) File.WriteAllText(f, "x");
        foreach (string d in new[] { stalePartial, oldPartial, recentOldPartial }) Directory.CreateDirectory(d);
        Directory.SetLastWriteTimeUtc(oldPartial, DateTime.UtcNow.AddHours(-2));

        Assert.Equal(3, AtomicFile.RemoveStale(dir.Path));
        Assert.False(File.Exists(staleFile));
        Assert.False(Directory.Exists(stalePartial));
        Assert.False(Directory.Exists(oldPartial));
        Assert.True(File.Exists(liveFile));
        Assert.True(Directory.Exists(recentOldPartial));
        Assert.True(File.Exists(unrelated));
    }

    [Fact]
    public void Preparing_a_dataset_again_clears_what_a_killed_prepare_left()
    {
        using var dir = new TempDir();
        string stale = dir.File($".data.partial-{GoneProcess}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(stale);
        File.WriteAllText(Path.Combine(stale, "clips.npy"), "half");
        var (code, _, error) = Oneshot.Tests.Cli.CliTests.Oneshot("data", "recipe", "synthetic", "--out",
            dir.File("data"), "--count", "16", "--length", "8000", "--sample-rate", "8000");
        Assert.True(code == 0, error);
        Assert.False(Directory.Exists(stale));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path, ".data.*"));
    }
}
