using Oneshot.Audio;
using Oneshot.Data;
using Oneshot.Storage;

namespace Oneshot.Tests.Data;

public class DatasetBuilderTests
{
    static readonly PrepareOptions Small = new() { SampleRate = 16000, ClipLength = 16000, Seed = 7 };

    /// <summary>A folder of four "kits", plus broken, silent, tiny and duplicate files.</summary>
    static void MakeLibrary(string root)
    {
        for (int kit = 0; kit < 4; kit++)
        {
            string folder = Path.Combine(root, $"kit{kit}");
            Directory.CreateDirectory(folder);
            for (int n = 0; n < 3; n++)
            {
                // Different lengths, rates, leading silence and channel counts.
                int rate = n == 1 ? 44100 : 22050;
                var tone =
                    new float[rate / 10].Concat(Signals.Sine(110 * (kit + 1) * (n + 1), rate, rate * (n + 1) / 2,
                    amplitude: 0.3)).ToArray();
                for (int i = 0; i < tone.Length; i++) tone[i] *= (float)Math.Exp(-i / (0.3 * rate));
                var audio = n == 2 ? new AudioData(rate, [tone, tone]) : AudioData.Mono(rate, tone);
                WavWriter.Write(Path.Combine(folder, $"hit{n}.wav"), audio,
                    n == 0 ? WavSampleFormat.Pcm24 : WavSampleFormat.Pcm16);
            }
        }
        var broken = Path.Combine(root, "broken");
        Directory.CreateDirectory(broken);
        File.WriteAllBytes(Path.Combine(broken, "corrupt.wav"), [.. "RIFF"u8, 1, 2, 3, 4, .. "WAVEjunkjunkjunk"u8]);
        File.WriteAllBytes(Path.Combine(broken, "empty.wav"), []);
        File.WriteAllText(Path.Combine(broken, "notaudio.flac"), "this is not a flac file");
        WavWriter.Write(Path.Combine(broken, "silent.wav"), new float[8000], 16000);
        WavWriter.Write(Path.Combine(broken, "tiny.wav"), Signals.Sine(440, 16000, 80), 16000);
        File.Copy(Path.Combine(root, "kit0", "hit1.wav"), Path.Combine(root, "kit3", "copy-of-kit0-hit1.wav"));
        File.WriteAllText(Path.Combine(root, "kit0", "notes.txt.bak"), "not audio, ignored by extension");
    }

    [Fact]
    public void Broken_files_are_reported_and_the_rest_kept()
    {
        using var dir = new TempDir();
        string library = dir.File("library"), output = dir.File("dataset");
        MakeLibrary(library);
        var sources = InputScanner.Scan([library], GroupRule.Folder);
        Assert.Equal(12 + 5 + 1, sources.Count);

        var result = DatasetBuilder.Build(sources, output, Small, "test library");
        Assert.Equal(12, result.Info.Count);
        Assert.Equal(5, result.Info.Skipped);
        Assert.Equal(1, result.Info.Duplicates);

        string Reason(string name) => result.Skipped.Single(s => s.Source.EndsWith(name)).Reason;
        Assert.Contains("corrupt.wav", Reason("corrupt.wav"));
        Assert.Contains("empty", Reason("empty.wav"));
        Assert.Contains("notaudio.flac", Reason("notaudio.flac"));
        Assert.StartsWith("silent", Reason("silent.wav"));
        Assert.StartsWith("too short", Reason("tiny.wav"));
        Assert.StartsWith("duplicate of", Reason("copy-of-kit0-hit1.wav"));
        Assert.Contains(Path.Combine("kit0", "hit1.wav"), Reason("copy-of-kit0-hit1.wav"));

        var report = File.ReadAllLines(Path.Combine(output, DatasetFormat.SkippedFile));
        Assert.Equal("source\treason", report[0]);
        Assert.Equal(6, report.Length - 1);
    }

    [Fact]
    public void The_directory_holds_clips_meta_and_info_that_agree()
    {
        using var dir = new TempDir();
        string library = dir.File("library"), output = dir.File("dataset");
        MakeLibrary(library);
        var result = DatasetBuilder.Build(InputScanner.Scan([library], GroupRule.Folder), output, Small,
            "test library");

        var npy = NpyFile.ReadInfo(Path.Combine(output, DatasetFormat.ClipsFile));
        Assert.Equal(new long[] { 12, 16000 }, npy.Shape);
        var meta = DatasetSummary.ReadMeta(output);
        Assert.Equal(12, meta.Count);
        var clips = NpyFile.ReadRows(Path.Combine(output, DatasetFormat.ClipsFile), 0, 12);

        for (int i = 0; i < meta.Count; i++)
        {
            var clip = clips.AsSpan(i * 16000, 16000);
            Assert.Equal(-1.0, Loudness.PeakDb(clip), 2);                      // peak-normalised to −1 dBFS
            int onset = clip.IndexOfAnyExceptInRange(-1e-3f, 1e-3f);
            // 100 ms of silence trimmed to the 1 ms pre-roll
            Assert.InRange(onset, 0, 32);
            Assert.Equal(-1.0, meta[i].Descriptors.PeakDb, 2);
            Assert.Equal(meta[i].Id, i.ToString("D6"));
        }
        var stereo = meta.Single(m => m.Source.EndsWith(Path.Combine("kit1", "hit2.wav")));
        Assert.Equal(2, stereo.SourceChannels);
        Assert.Equal(22050, stereo.SourceSampleRate);
        Assert.Equal(0.1, stereo.TrimmedSeconds, 2);
        Assert.Equal("kit1", stereo.Labels["folder"].GetString());
        Assert.True(stereo.Cropped);                                          // 1.5 s of tone into a 1 s clip
        Assert.InRange(stereo.Descriptors.F0Hz, 655, 665);                     // 110 Hz · (kit 1 + 1) · (hit 2 + 1)

        // A group never spans two splits; every split got a group.
        Assert.All(meta.GroupBy(m => m.Group), g => Assert.Single(g.Select(m => m.Split).Distinct()));
        Assert.Equal(3, meta.Select(m => m.Split).Distinct().Count());
        Assert.Equal(12, result.Info.Splits.Values.Sum());

        var info = DatasetInfo.Load(output);
        Assert.Equal(16000, info.SampleRate);
        Assert.StartsWith("sha256:", info.Hash);
        Assert.Contains("\"normalization\": \"peak\"",
            File.ReadAllText(Path.Combine(output, DatasetFormat.DatasetFile)));
    }

    [Fact]
    public void The_same_seed_gives_the_same_dataset()
    {
        using var dir = new TempDir();
        string library = dir.File("library");
        MakeLibrary(library);
        var first = DatasetBuilder.Build(InputScanner.Scan([library], GroupRule.Folder), dir.File("a"),
            Small with { Threads = 2 }, "x");
        var second = DatasetBuilder.Build(InputScanner.Scan([library], GroupRule.Folder), dir.File("b"),
            Small with { Threads = 1 }, "x");
        Assert.Equal(first.Info.Hash, second.Info.Hash);
    }

    [Fact]
    public void An_existing_dataset_is_replaced_only_when_asked()
    {
        using var dir = new TempDir();
        string library = dir.File("library"), output = dir.File("dataset");
        MakeLibrary(library);
        var sources = InputScanner.Scan([library], GroupRule.Folder);
        DatasetBuilder.Build(sources, output, Small, "x");
        var error = Assert.Throws<OneshotException>(() => DatasetBuilder.Build(sources, output, Small, "x"));
        Assert.Contains("--force", error.Message);
        DatasetBuilder.Build(sources, output, Small with { Seed = 8 }, "x", overwrite: true);
        Assert.Equal(8, DatasetInfo.Load(output).Options.Seed);
        // no temporary folders left
        Assert.DoesNotContain(Directory.GetDirectories(dir.Path), d => Path.GetFileName(d).StartsWith('.'));

        string notDataset = dir.File("other");
        Directory.CreateDirectory(notDataset);
        File.WriteAllText(Path.Combine(notDataset, "keep.txt"), "precious");
        Assert.Contains("not empty", Assert.Throws<OneshotException>(() =>
            DatasetBuilder.Build(sources, notDataset, Small, "x", overwrite: true)).Message);
        Assert.True(File.Exists(Path.Combine(notDataset, "keep.txt")));
    }

    [Fact]
    public void Cancelling_leaves_no_dataset_only_the_journal_that_resume_continues()
    {
        using var dir = new TempDir();
        string library = dir.File("library");
        MakeLibrary(library);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var sources = InputScanner.Scan([library], GroupRule.Folder);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            DatasetBuilder.Build(sources, dir.File("out"), Small, "x", cancellation: cancel.Token));
        Assert.False(Directory.Exists(dir.File("out")));
        Assert.Equal([".out.prepare-resume", "library"], Directory.GetDirectories(dir.Path).Select(Path.GetFileName)
            .Order());
        Assert.Equal(0, DatasetBuilder.InterruptedAt(dir.File("out"))!.NextSource);
        DatasetBuilder.Build(sources, dir.File("out"), Small, "x", resume: true);
        Assert.Equal(["library", "out"], Directory.GetDirectories(dir.Path).Select(Path.GetFileName).Order());
    }

    /// <summary>Cancels once <paramref name="after"/> sounds are done (reported from the worker that finished the
    /// last).</summary>
    sealed class CancelAfter(int after, CancellationTokenSource cancel) : IProgress<PrepareProgress>
    {
        public void Report(PrepareProgress value) { if (value.Done >= after) cancel.Cancel(); }
    }

    [Fact]
    public void An_interrupted_preparation_resumed_gives_the_same_dataset()
    {
        using var dir = new TempDir();
        string library = dir.File("library");
        // 150 short sounds in five folders, and a copy of one: three chunks of 64 on one thread.
        for (int i = 0; i < 150; i++)
        {
            string folder = Path.Combine(library, $"kit{i % 5}");
            Directory.CreateDirectory(folder);
            WavWriter.Write(Path.Combine(folder, $"hit{i:D3}.wav"),
                Signals.Sine(100 + 7 * i, 16000, 4000, amplitude: 0.5), 16000);
        }
        File.Copy(Path.Combine(library, "kit0", "hit000.wav"), Path.Combine(library, "kit1", "copy.wav"));
        var options = Small with { Threads = 1 };
        var sources = InputScanner.Scan([library], GroupRule.Folder);
        DatasetBuilder.Build(sources, dir.File("straight"), options, "x");

        using (var cancel = new CancellationTokenSource())
            Assert.ThrowsAny<OperationCanceledException>(() =>
                DatasetBuilder.Build(sources, dir.File("resumed"), options, "x", progress: new CancelAfter(100, cancel),
                    cancellation: cancel.Token));
        Assert.False(Directory.Exists(dir.File("resumed")));
        // the first chunk is kept, the second made again
        Assert.Equal(64, DatasetBuilder.InterruptedAt(dir.File("resumed"))!.NextSource);
        Assert.Contains("--resume", Assert.Throws<OneshotException>(() =>
            DatasetBuilder.Build(sources, dir.File("resumed"), options, "x")).Message);
        Assert.Contains("other inputs or options", Assert.Throws<OneshotException>(() =>
            DatasetBuilder.Build(sources, dir.File("resumed"), options with { PeakDb = -3 }, "x",
                resume: true)).Message);

        // threads may change
        var resumed = DatasetBuilder.Build(sources, dir.File("resumed"), options with { Threads = 2 }, "x",
            resume: true);
        foreach (string file in new[] { DatasetFormat.ClipsFile, DatasetFormat.MetaFile, DatasetFormat.SkippedFile })
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("straight"), file)),
                File.ReadAllBytes(Path.Combine(dir.File("resumed"), file)));
        Assert.Equal(DatasetInfo.Load(dir.File("straight")).Hash, resumed.Info.Hash);
        Assert.Contains(resumed.Skipped, s => s.Reason.StartsWith("duplicate of", StringComparison.Ordinal));
        Assert.Null(DatasetBuilder.InterruptedAt(dir.File("resumed")));
        Assert.False(Directory.Exists(PrepareJournal.FolderFor(dir.File("resumed"))));
    }

    [Fact]
    public void List_files_and_group_rules_are_honoured()
    {
        using var dir = new TempDir();
        string library = dir.File("library");
        MakeLibrary(library);
        File.WriteAllLines(dir.File("list.txt"), ["# two kits", "library/kit0/hit0.wav",
            "library/kit1/hit0.wav  # trailing comment", "", "library/kit9/missing.wav"]);
        var listed = InputScanner.Scan([dir.File("list.txt")], GroupRule.Folder);
        Assert.Equal(3, listed.Count);
        Assert.Equal(["library/kit0", "library/kit1", "library/kit9"], listed.Select(s => s.Group).Order());

        var result = DatasetBuilder.Build(listed, dir.File("out"), Small, "list");
        Assert.Equal(2, result.Info.Count);
        Assert.Contains("does not exist", result.Skipped.Single().Reason);

        Assert.Equal(["kit0", "kit1", "kit2", "kit3"], InputScanner.Scan([library], GroupRule.Top)
            .Where(s => s.Key.Contains("kit")).Select(s => s.Group).Distinct().Order());
        Assert.Equal(18, InputScanner.Scan([library], GroupRule.File).Select(s => s.Group).Distinct().Count());
        Assert.Contains("does not exist",
            Assert.Throws<OneshotException>(() => InputScanner.Scan([dir.File("nowhere")], GroupRule.Folder)).Message);
    }

    [Theory]
    [InlineData(16000, 8000, "--length")]
    [InlineData(16000, 64000, "--length")]
    [InlineData(1000, 1000, "--sample-rate")]
    public void Bad_options_name_the_option(int rate, int length, string option)
    {
        var options = new PrepareOptions { SampleRate = rate, ClipLength = length };
        Assert.Contains(option, Assert.Throws<OneshotException>(options.Validate).Message);
        Assert.Contains("--split",
            Assert.Throws<OneshotException>(new PrepareOptions { TrainFraction = 0.9 }.Validate).Message);
    }

    [Fact]
    public void Splits_take_whole_groups_near_the_wanted_fractions()
    {
        var groups = Enumerable.Range(0, 50).ToDictionary(i => $"g{i}", i => 5 + i % 7);
        var splits = Splitter.Assign(groups, [0.8, 0.1, 0.1], seed: 1);
        int total = groups.Values.Sum();
        double Share(string split) => groups.Where(g => splits[g.Key] == split).Sum(g => g.Value) / (double)total;
        Assert.InRange(Share("train"), 0.75, 0.85);
        Assert.InRange(Share("valid"), 0.06, 0.14);
        Assert.InRange(Share("test"), 0.06, 0.14);
        Assert.NotEqual(splits, Splitter.Assign(groups, [0.8, 0.1, 0.1], seed: 2));
        Assert.Equal(splits, Splitter.Assign(groups, [0.8, 0.1, 0.1], seed: 1));
    }

    /// <summary>
    /// Preparation streams clips to disk a chunk at a time (memory bounded by the chunk, not the
    /// library) and still writes, byte for byte, the dataset the all-in-memory version wrote: these
    /// are the SHA-256 sums that version (commit daba0a2) gave for this recipe — meta.jsonl's and the
    /// dataset hash since the recipe began writing its kits' factor_* labels (issue 20).
    /// </summary>
    [Fact]
    public void Streaming_preparation_writes_the_same_bytes_as_before()
    {
        using var dir = new TempDir();
        // one thread: chunks of 64, so three
        var (code, _, error) = Oneshot.Tests.Cli.CliTests.Oneshot("data", "recipe", "synthetic", "--out", dir.File("d"),
            "--count", "150", "--length", "8000", "--sample-rate", "8000", "--seed", "7", "--threads", "1");
        Assert.True(code == 0, error);
        string Sum(string file) =>
            Convert.ToHexStringLower(
            System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(dir.File(Path.Combine("d", file)))));
        Assert.Equal("d121c964a5c2cec2a17f984662978f995ad664e2920db3f9a68af6a3533f6a85", Sum(DatasetFormat.ClipsFile));
        Assert.Equal("5967021b8bc0233fbdbd686c5d3ef7c9a9cf6232910439471e84121474280bf0", Sum(DatasetFormat.MetaFile));
        Assert.Equal("sha256:e440fad09e7596e4577cf35f273ed301de2066d1505c8c6619c1487187e5813f",
            DatasetInfo.Load(dir.File("d")).Hash);
    }
}
