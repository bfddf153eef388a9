using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Oneshot.Audio;
using Oneshot.Storage;

namespace Oneshot.Data;

public sealed record PrepareProgress(int Done, int Total, int Kept, int Skipped);
public sealed record SkippedSource(string Source, string Reason);
public sealed record PrepareResult(string Directory, DatasetInfo Info, IReadOnlyList<SkippedSource> Skipped);

/// <summary>
/// Turns sounds into a dataset directory (clips.npy, meta.jsonl, dataset.json, skipped.tsv):
/// decode → mono → resample → trim leading silence → fixed length with fade-out → normalise →
/// descriptors; duplicates kept once; whole groups assigned to splits. A sound that fails is
/// reported with its reason and skipped. Everything is written to a temporary folder that
/// replaces the output only when complete, so an interrupted run loses nothing; what it has done
/// so far is journalled beside the output (<see cref="PrepareJournal"/>) for `--resume`.
/// </summary>
public static class DatasetBuilder
{
    sealed record Processed(ClipSource Source, float[] Clip, string Hash, ClipDescriptors Descriptors,
        int SourceRate, int SourceChannels, double SourceSeconds, double TrimmedSeconds, double GainDb, bool Cropped);

    public static PrepareResult Build(IReadOnlyList<ClipSource> sources, string outputDirectory, PrepareOptions options,
        string sourceDescription, bool overwrite = false, IProgress<PrepareProgress>? progress = null,
        CancellationToken cancellation = default, bool resume = false)
    {
        options.Validate();
        CheckOutput(outputDirectory, overwrite);
        if (sources.Count == 0)
            throw new OneshotException("No audio files found in the inputs (looked for "
                + string.Join(" ", AudioFile.Extensions.Order()) + ").");

        var ordered = sources.OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        string fingerprint = PrepareJournal.Fingerprint(ordered, options, sourceDescription);
        var skippedList = new List<SkippedSource>();
        var clips = new List<Processed>();
        var firstByHash = new Dictionary<string, string>();
        int duplicates = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        PrepareJournal journal;
        PrepareJournal.State state;
        if (resume)
        {
            (journal, state, var keptBefore, var skippedBefore) = PrepareJournal.Resume(outputDirectory, fingerprint);
            foreach (var k in keptBefore)
            {
                clips.Add(new Processed(ordered[k.Index], [], k.Hash, k.Descriptors, k.SourceRate, k.SourceChannels,
                    k.SourceSeconds, k.TrimmedSeconds, k.GainDb, k.Cropped));
                firstByHash[k.Hash] = ordered[k.Index].Key;
            }
            skippedList.AddRange(skippedBefore);
            duplicates = state.Duplicates;
            HashRows(journal.ClipsPath, state.Rows, options.ClipLength, hash);
        }
        else
        {
            if (PrepareJournal.ReadState(outputDirectory) is { } interrupted && !overwrite)
                throw new OneshotException($"An interrupted preparation of '{outputDirectory}' is there " +
                    $"({interrupted.NextSource} of {interrupted.Total} sounds done): " +
                    "continue it with --resume, or start over with --force.");
            (journal, state) = PrepareJournal.Start(outputDirectory, fingerprint, ordered.Count);
        }
        int done = state.NextSource, kept = clips.Count + duplicates, skipped = skippedList.Count - duplicates;
        var progressLock = new object();
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellation };

        string temporary = TemporarySibling(outputDirectory, "partial");
        Directory.CreateDirectory(temporary);
        try
        {
            // Clips go to the journal's clips file as they are made, a chunk of sources at a time in key
            // order, so memory holds one chunk of clips whatever the library's size; only their metadata stays.
            using (var writer = NpyFile.RowWriter.Continue(journal.ClipsPath,
                Path.Combine(temporary, DatasetFormat.ClipsFile), options.ClipLength, state.Rows))
            {
                int chunk = Math.Max(64, 16 * threads);
                for (int start = state.NextSource; start < ordered.Count; start += chunk)
                {
                    var results = new object[Math.Min(chunk, ordered.Count - start)];   // Processed or SkippedSource
                    Parallel.For(0, results.Length, parallel, i =>
                    {
                        var result = Process(ordered[start + i], options);
                        results[i] = result;
                        lock (progressLock)
                        {
                            done++;
                            if (result is Processed) kept++; else skipped++;
                            progress?.Report(new PrepareProgress(done, ordered.Count, kept, skipped));
                        }
                    });
                    cancellation.ThrowIfCancellationRequested();
                    var keptNow = new List<PrepareJournal.Kept>();
                    int skippedBefore = skippedList.Count;
                    for (int i = 0; i < results.Length; i++)
                    {
                        if (results[i] is SkippedSource s) { skippedList.Add(s); continue; }
                        var p = (Processed)results[i];
                        // Duplicates: the first source in key order keeps the clip.
                        if (firstByHash.TryGetValue(p.Hash, out string? original))
                        {
                            skippedList.Add(new SkippedSource(p.Source.Key, $"duplicate of {original}"));
                            duplicates++;
                            continue;
                        }
                        firstByHash[p.Hash] = p.Source.Key;
                        writer.WriteRow(p.Clip);
                        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.Clip.AsSpan()));
                        clips.Add(p with { Clip = [] });
                        keptNow.Add(new PrepareJournal.Kept(start + i, p.Hash, p.Descriptors, p.SourceRate,
                            p.SourceChannels, p.SourceSeconds, p.TrimmedSeconds, p.GainDb, p.Cropped));
                    }
                    writer.Flush();
                    state = journal.Append(state, keptNow, skippedList.Skip(skippedBefore), start + results.Length,
                        writer.Rows, duplicates);
                }
                if (clips.Count == 0)
                {
                    journal.Delete();
                    throw new OneshotException($"None of the {ordered.Count} sounds could be used; first reason: " +
                        $"{skippedList[0].Reason}");
                }
                writer.Commit();
            }

            var clipsPerGroup = clips.GroupBy(c => c.Source.Group).ToDictionary(g => g.Key, g => g.Count());
            var splitOfGroup =
                Splitter.Assign(clipsPerGroup, [options.TrainFraction, options.ValidFraction, options.TestFraction],
                options.Seed);
            var info = WriteMetadata(temporary, clips, splitOfGroup, skippedList, duplicates, options,
                sourceDescription, hash);
            cancellation.ThrowIfCancellationRequested();
            ReplaceDirectory(temporary, outputDirectory);
            journal.Delete();
            return new PrepareResult(outputDirectory, info, skippedList);
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }

    /// <summary>A prepared clip with its hash and descriptors (Processed), or why its source was skipped.</summary>
    static object Process(ClipSource source, PrepareOptions options)
    {
        var (s, skipped) = ClipPreparation.Shape(source, options);
        if (s is null) return skipped!;
        try
        {
            return new Processed(source, s.Clip, HashOf(s.Clip), Descriptors.Compute(s.Clip, options.SampleRate),
                s.SourceRate, s.SourceChannels, s.SourceSeconds, s.TrimmedSeconds, s.GainDb, s.Cropped);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // one bad file never stops the run
            return new SkippedSource(source.Key, $"unexpected error while describing it: {e.GetType().Name}: " +
                $"{e.Message}");
        }
    }

    /// <summary>meta.jsonl, skipped.tsv and dataset.json beside the clips already written; the hash has seen the clips'
    /// bytes.</summary>
    static DatasetInfo WriteMetadata(string directory, List<Processed> clips, Dictionary<string, string> splitOfGroup,
        List<SkippedSource> skipped, int duplicates, PrepareOptions options, string sourceDescription,
            IncrementalHash hash)
    {
        var meta = new StringBuilder();
        int width = Math.Max(6, clips.Count.ToString().Length);
        for (int i = 0; i < clips.Count; i++)
        {
            var c = clips[i];
            var line = new ClipMeta
            {
                Id = i.ToString().PadLeft(width, '0'),
                Source = c.Source.Key,
                Group = c.Source.Group,
                Split = splitOfGroup[c.Source.Group],
                Labels = c.Source.Labels,
                Descriptors = Round(c.Descriptors),
                SourceSampleRate = c.SourceRate,
                SourceChannels = c.SourceChannels,
                SourceSeconds = Math.Round(c.SourceSeconds, 6),
                TrimmedSeconds = Math.Round(c.TrimmedSeconds, 6),
                GainDb = Math.Round(c.GainDb, 3),
                Cropped = c.Cropped,
            };
            meta.Append(JsonSerializer.Serialize(line, DatasetFormat.Json)).Append('\n');
        }
        byte[] metaBytes = Encoding.UTF8.GetBytes(meta.ToString());
        hash.AppendData(metaBytes);
        AtomicFile.WriteAllBytes(Path.Combine(directory, DatasetFormat.MetaFile), metaBytes);

        var report = new StringBuilder("source\treason\n");
        foreach (var s in skipped) report.Append(Clean(s.Source)).Append('\t').Append(Clean(s.Reason)).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(directory, DatasetFormat.SkippedFile), report.ToString());

        var splits = new SortedDictionary<string, int>();
        foreach (string split in DatasetFormat.Splits)
            splits[split] = clips.Count(c => splitOfGroup[c.Source.Group] == split);
        var info = new DatasetInfo
        {
            SampleRate = options.SampleRate,
            ClipLength = options.ClipLength,
            Count = clips.Count,
            Splits = splits,
            Groups = splitOfGroup.Count,
            Skipped = skipped.Count - duplicates,
            Duplicates = duplicates,
            Source = sourceDescription,
            Options = options,
            Hash = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()),
            Created = DateTimeOffset.UtcNow,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, DatasetFormat.DatasetFile),
            JsonSerializer.Serialize(info, DatasetFormat.JsonIndented) + "\n");
        return info;
    }

    static ClipDescriptors Round(ClipDescriptors d) => new(
        Math.Round(d.LoudnessLufs, 3), Math.Round(d.PeakDb, 3), Math.Round(d.SpectralCentroidHz, 2),
            Math.Round(d.SpectralFlatness, 5),
        Math.Round(d.AttackSeconds, 4), Math.Round(d.DecaySeconds, 4), Math.Round(d.F0Hz, 3),
            Math.Round(d.F0Confidence, 4));

    static string HashOf(float[] clip) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(clip.AsSpan())));

    static string Clean(string text) => text.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');

    static void CheckOutput(string directory, bool overwrite)
    {
        if (File.Exists(directory))
            throw new OneshotException($"--out '{directory}' is a file; give a folder for the dataset.");
        if (!Directory.Exists(directory) || !Directory.EnumerateFileSystemEntries(directory).Any()) return;
        bool isDataset = File.Exists(Path.Combine(directory, DatasetFormat.DatasetFile));
        if (!isDataset)
            throw new OneshotException($"--out '{directory}' is a folder that is not empty and holds no dataset; " +
                $"choose a new or empty folder.");
        if (!overwrite)
            throw new OneshotException($"--out '{directory}' already holds a dataset; pass --force to replace it.");
    }

    /// <summary>How far an interrupted preparation of <paramref name="outputDirectory"/> got (null: none to
    /// resume).</summary>
    public static PrepareJournal.State? InterruptedAt(string outputDirectory) =>
        PrepareJournal.ReadState(outputDirectory);

    /// <summary>Feeds the first <paramref name="rows"/> clips of a journal's clips file to the dataset hash, as if just
    /// written.</summary>
    static void HashRows(string path, long rows, int rowLength, IncrementalHash hash)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
        stream.Position = NpyFile.HeaderSize;
        long remaining = rows * rowLength * sizeof(float);
        var buffer = new byte[1 << 20];
        while (remaining > 0)
        {
            int read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0) throw new OneshotException($"'{path}' ended early; start over with --force.");
            hash.AppendData(buffer, 0, read);
            remaining -= read;
        }
    }

    static string TemporarySibling(string directory, string kind)
    {
        string path = AtomicFile.PartialFolderFor(directory, kind);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.RemoveStale(Path.GetDirectoryName(path)!);   // what an interrupted earlier run left beside it
        return path;
    }

    static void ReplaceDirectory(string complete, string destination)
    {
        if (!Directory.Exists(destination)) { Directory.Move(complete, destination); return; }
        string old = TemporarySibling(destination, "old");
        Directory.Move(destination, old);
        Directory.Move(complete, destination);
        Directory.Delete(old, recursive: true);
    }
}
