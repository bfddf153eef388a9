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
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}." +
            $"{Guid.NewGuid():N}.tmp");
    }

    /// <summary>
    /// Removes what interrupted writes left in <paramref name="directory"/>: temporary files
    /// (".NAME.PID.GUID.tmp") and partial folders (".NAME.partial-PID-GUID") whose process is gone.
    /// A write in progress in a live process is left alone. Returns how many were removed.
    /// </summary>
    public static int RemoveStale(string directory)
    {
        if (!Directory.Exists(directory)) return 0;
        int removed = 0;
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos(".*"))
        {
            int? pid = entry is FileInfo && entry.Name.EndsWith(".tmp", StringComparison.Ordinal)
                ? ProcessOfTemporaryFile(entry.Name)
                : entry is DirectoryInfo ? ProcessOfPartialFolder(entry.Name) : null;
            // Partial folders of versions before the PID was in their name: stale once an hour old.
            bool oldPartial = pid is null && entry is DirectoryInfo && IsOldPartialFolder(entry.Name)
                              && DateTime.UtcNow - entry.LastWriteTimeUtc > TimeSpan.FromHours(1);
            if (!oldPartial && (pid is not int owner || IsRunning(owner))) continue;
            try
            {
                if (entry is DirectoryInfo folder) folder.Delete(recursive: true); else entry.Delete();
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return removed;
    }

    /// <summary>A partial folder's name for <paramref name="directory"/>: ".NAME.KIND-PID-GUID" beside it.</summary>
    public static string PartialFolderFor(string directory, string kind)
    {
        string full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{kind}-{Environment.ProcessId}-" +
            $"{Guid.NewGuid():N}");
    }

    // ".NAME.PID.GUID.tmp": the PID is the second-to-last dotted part before "tmp".
    static int? ProcessOfTemporaryFile(string name)
    {
        var parts = name.Split('.');
        return parts.Length >= 5 && parts[^2].Length == 32 && int.TryParse(parts[^3], out int pid) ? pid : null;
    }

    // ".NAME.KIND-PID-GUID"
    static int? ProcessOfPartialFolder(string name)
    {
        var parts = name[(name.LastIndexOf('.') + 1)..].Split('-');
        return parts.Length == 3 && parts[2].Length == 32 && int.TryParse(parts[1], out int pid) ? pid : null;
    }

    // ".NAME.partial-GUID" or ".NAME.old-GUID"
    static bool IsOldPartialFolder(string name)
    {
        var parts = name[(name.LastIndexOf('.') + 1)..].Split('-');
        return parts.Length == 2 && parts[0] is "partial" or "old" && parts[1].Length == 32;
    }

    static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }        // no such process
        catch (InvalidOperationException) { return false; }
    }

    public static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
