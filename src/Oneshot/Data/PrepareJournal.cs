using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Oneshot.Audio;

namespace Oneshot.Data;

/// <summary>
/// What `data prepare` has done so far, kept beside the output as ".NAME.prepare-resume" so that
/// `--resume` continues an interrupted preparation instead of starting over: the clips written
/// (in npy layout, header last), one line per kept and per skipped sound, and a state file written
/// after each chunk that says how much of each is complete. Whatever was written after the last
/// state is dropped on resume and made again.
/// </summary>
public sealed class PrepareJournal
{
    public const string ClipsFile = "clips.rows";
    const string StateFile = "state.json";
    const string KeptFile = "kept.jsonl";
    const string SkippedFile = "skipped.jsonl";

    static readonly JsonSerializerOptions Json = new()
        { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>A kept sound: its index among the sources in key order, and what preparing it found.</summary>
    public sealed record Kept(int Index, string Hash, ClipDescriptors Descriptors, int SourceRate, int SourceChannels,
        double SourceSeconds, double TrimmedSeconds, double GainDb, bool Cropped);

    public sealed record State(string Fingerprint, int Total, int NextSource, long Rows, long KeptBytes,
        long SkippedBytes, int Duplicates);

    readonly string _folder;

    PrepareJournal(string folder) => _folder = folder;

    public string ClipsPath => Path.Combine(_folder, ClipsFile);

    public static string FolderFor(string outputDirectory)
    {
        string full = Path.GetFullPath(outputDirectory).TrimEnd(Path.DirectorySeparatorChar);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.prepare-resume");
    }

    /// <summary>The inputs and every option that shapes the clips (not the thread count): resuming needs the
    /// same.</summary>
    public static string Fingerprint(IReadOnlyList<ClipSource> ordered, PrepareOptions options,
        string sourceDescription)
    {
        var text = new StringBuilder();
        text.AppendLine(JsonSerializer.Serialize(options with { Threads = 0 }, Json)).AppendLine(sourceDescription);
        foreach (var source in ordered)
            text.Append(source.Key).Append('\t').Append(source.Group).Append('\t')
                .Append(JsonSerializer.Serialize(source.Labels)).Append('\t').AppendLine(source.SkipReason);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>How far an interrupted preparation got, for messages ("120 of 20,000 sounds").</summary>
    public static State? ReadState(string outputDirectory)
    {
        string path = Path.Combine(FolderFor(outputDirectory), StateFile);
        try { return File.Exists(path) ? JsonSerializer.Deserialize<State>(File.ReadAllText(path), Json) : null; }
        catch (JsonException) { return null; }
    }

    /// <summary>A new journal (any earlier one removed), and its first state: nothing done.</summary>
    public static (PrepareJournal Journal, State State) Start(string outputDirectory, string fingerprint, int total)
    {
        string folder = FolderFor(outputDirectory);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        var journal = new PrepareJournal(folder);
        var state = new State(fingerprint, total, 0, 0, 0, 0, 0);
        journal.Save(state);
        return (journal, state);
    }

    /// <summary>The journal of an interrupted run with the same inputs and options, cut back to its last complete
    /// chunk.</summary>
    public static (PrepareJournal Journal, State State, List<Kept> Kept,
        List<SkippedSource> Skipped) Resume(string outputDirectory, string fingerprint)
    {
        var state = ReadState(outputDirectory)
            ?? throw new OneshotException($"There is no interrupted preparation of '{outputDirectory}' to resume (no " +
                $"{FolderFor(outputDirectory)}); run it without --resume.");
        if (state.Fingerprint != fingerprint)
            throw new OneshotException($"The interrupted preparation of '{outputDirectory}' was made from other " +
                $"inputs or options; resume it with the same ones, or start over with --force.");
        var journal = new PrepareJournal(FolderFor(outputDirectory));
        var kept = journal.ReadLines<Kept>(KeptFile, state.KeptBytes);
        var skipped = journal.ReadLines<SkippedSource>(SkippedFile, state.SkippedBytes);
        return (journal, state, kept, skipped);
    }

    /// <summary>Appends a chunk's kept and skipped sounds, then records the state that counts them (the clips must be
    /// flushed first).</summary>
    public State Append(State state, IEnumerable<Kept> kept, IEnumerable<SkippedSource> skipped, int nextSource,
        long rows, int duplicates)
    {
        long keptBytes = AppendLines(KeptFile, kept), skippedBytes = AppendLines(SkippedFile, skipped);
        var next = state with { NextSource = nextSource, Rows = rows, KeptBytes = keptBytes,
            SkippedBytes = skippedBytes, Duplicates = duplicates };
        Save(next);
        return next;
    }

    public void Delete()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    void Save(State state) =>
        AtomicFile.WriteAllText(Path.Combine(_folder, StateFile), JsonSerializer.Serialize(state, Json));

    long AppendLines<T>(string file, IEnumerable<T> items)
    {
        using var stream = new FileStream(Path.Combine(_folder, file), FileMode.Append, FileAccess.Write);
        foreach (var item in items)
            stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(item, Json) + "\n"));
        stream.Flush(flushToDisk: true);
        return stream.Position;
    }

    /// <summary>The lines within the first <paramref name="bytes"/> of a file, which is cut to that length (what came
    /// after was never counted).</summary>
    List<T> ReadLines<T>(string file, long bytes)
    {
        string path = Path.Combine(_folder, file);
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite);
        if (stream.Length < bytes)
            throw new OneshotException($"'{path}' is shorter than its journal says; start over with --force.");
        stream.SetLength(bytes);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var items = new List<T>();
        while (reader.ReadLine() is { } line)
            items.Add(JsonSerializer.Deserialize<T>(line, Json)
                ?? throw new OneshotException($"'{path}' has an empty line; start over with --force."));
        return items;
    }
}
