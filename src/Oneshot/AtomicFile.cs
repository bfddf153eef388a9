namespace Oneshot;

/// <summary>Writes a file under a temporary name in the same folder, then renames it into place,
/// so a crash or Ctrl-C never leaves a half-written file under the real name.</summary>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        string temporary = TemporaryNameFor(path);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
                stream.Write(bytes);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Opens a temporary file; <see cref="Commit"/> renames it over <paramref name="path"/>.</summary>
    public static FileStream Create(string path, out string temporary)
    {
        temporary = TemporaryNameFor(path);
        return new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite);
    }

    public static void Commit(string temporary, string path) => File.Move(temporary, path, overwrite: true);

    public static string TemporaryNameFor(string path)
    {
        string full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
    }

    public static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
