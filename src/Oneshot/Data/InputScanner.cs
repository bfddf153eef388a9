using System.Text.Json;
using Oneshot.Audio;

namespace Oneshot.Data;

/// <summary>Finds the audio files named by the inputs of `oneshot data prepare`.</summary>
public static class InputScanner
{
    /// <summary>
    /// Each input is a folder (searched recursively for audio files), an audio file, or a list file
    /// (.txt/.lst/.list: one path per line, relative to the list's folder; '#' starts a comment).
    /// </summary>
    /// <remarks>
    /// Folders are walked by hand rather than by the runtime's recursive search: every folder is
    /// resolved to its real path and searched once, so a link loop ends and a kit reached through a
    /// link is the same kit (grouped by where it really is, never in two splits). A file reached
    /// twice is one file. What cannot be read as a file (a FIFO, a socket, a device) is skipped with
    /// its reason rather than opened: reading a FIFO waits forever.
    /// </remarks>
    public static List<ClipSource> Scan(IEnumerable<string> inputs, GroupRule rule)
    {
        var sources = new List<ClipSource>();
        var seenFiles = new HashSet<string>(StringComparer.Ordinal);
        var seenFolders = new HashSet<string>(StringComparer.Ordinal);
        foreach (string input in inputs)
        {
            if (Directory.Exists(input))
            {
                string root = Path.GetFullPath(input);
                Walk(root, root, FileSystemFacts.RealPath(root));
            }
            else if (File.Exists(input) && IsListFile(input))
            {
                string listFolder = Path.GetDirectoryName(Path.GetFullPath(input))!;
                foreach (string raw in File.ReadLines(input))
                {
                    string line = raw.Split('#')[0].Trim();
                    if (line.Length == 0) continue;
                    // Missing files in a list are kept as sources so they are reported, not silently dropped.
                    Add(Path.GetFullPath(Path.Combine(listFolder, line)), listFolder,
                        FileSystemFacts.RealPath(listFolder));
                }
            }
            else if (File.Exists(input))
            {
                string full = Path.GetFullPath(input);
                string folder = Path.GetDirectoryName(full)!;
                Add(full, folder, FileSystemFacts.RealPath(folder));
            }
            else
            {
                throw new OneshotException($"Input '{input}' does not exist: give folders of audio, audio files, or " +
                    $"list files (.txt with one path per line).");
            }
        }
        return sources;

        void Walk(string folder, string root, string realRoot)
        {
            string real = FileSystemFacts.RealPath(folder);
            if (!seenFolders.Add(real))
            {
                if (folder != root)
                    sources.Add(ClipSource.Skipped(folder, $"a link to a folder already searched ({real}); its files " +
                        $"count once"));
                return;
            }
            IEnumerable<FileSystemInfo> entries;
            try
            {
                entries = new DirectoryInfo(folder).EnumerateFileSystemInfos()
                    .OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
            }
            // as IgnoreInaccessible did
            catch (Exception e) when (e is UnauthorizedAccessException or IOException) { return; }
            foreach (var entry in entries)
            {
                if (entry.Name.StartsWith('.')) continue;   // hidden, as before
                if (entry is DirectoryInfo) Walk(entry.FullName, root, realRoot);
                else if (AudioFile.Extensions.Contains(Path.GetExtension(entry.Name)))
                    Add(entry.FullName, root, realRoot);
            }
        }

        void Add(string file, string root, string realRoot)
        {
            string real = File.Exists(file) ? FileSystemFacts.RealPath(file) : file;
            if (!seenFiles.Add(real)) return;
            if (File.Exists(file) && !FileSystemFacts.IsRegularFile(real))
            {
                sources.Add(
                    ClipSource.Skipped(file, "not a regular file (a FIFO, socket or device), so it was not opened"));
                return;
            }
            // Grouped by where the file really is: under the real root as if reached directly, else by its real folder.
            string relative = Path.GetRelativePath(realRoot, real);
            bool inside = !relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative);
            if (!inside) relative = real;
            string folder = inside
                ? Path.GetDirectoryName(relative) is { Length: > 0 } d ? d : Path.GetFileName(root)
                : Path.GetDirectoryName(real)!;
            string group = rule switch
            {
                GroupRule.Top => inside ? (relative.Split(Path.DirectorySeparatorChar)[0] is var top
                    && top != relative ? top : Path.GetFileName(root)) : folder,
                GroupRule.File => relative,
                _ => folder,
            };
            var labels = new SortedDictionary<string, JsonElement>
            {
                ["folder"] = DatasetFormat.Label(Path.GetFileName(Path.GetDirectoryName(real)!)),
            };
            sources.Add(ClipSource.FromFile(file, group, labels));
        }
    }

    static bool IsListFile(string path) => Path.GetExtension(path).ToLowerInvariant() is ".txt" or ".lst" or ".list";
}
