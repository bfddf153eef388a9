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
    public static List<ClipSource> Scan(IEnumerable<string> inputs, GroupRule rule)
    {
        var sources = new List<ClipSource>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string input in inputs)
        {
            if (Directory.Exists(input))
            {
                string root = Path.GetFullPath(input);
                var files = Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = System.IO.FileAttributes.Hidden })
                    .Where(f => AudioFile.Extensions.Contains(Path.GetExtension(f)))
                    .Order(StringComparer.Ordinal);
                foreach (string file in files) Add(file, root);
            }
            else if (File.Exists(input) && IsListFile(input))
            {
                string listFolder = Path.GetDirectoryName(Path.GetFullPath(input))!;
                int lineNumber = 0;
                foreach (string raw in File.ReadLines(input))
                {
                    lineNumber++;
                    string line = raw.Split('#')[0].Trim();
                    if (line.Length == 0) continue;
                    string path = Path.GetFullPath(Path.Combine(listFolder, line));
                    // Missing files in a list are kept as sources so they are reported, not silently dropped.
                    Add(path, listFolder);
                }
            }
            else if (File.Exists(input))
            {
                string full = Path.GetFullPath(input);
                Add(full, Path.GetDirectoryName(full)!);
            }
            else
            {
                throw new OneshotException($"Input '{input}' does not exist: give folders of audio, audio files, or list files (.txt with one path per line).");
            }
        }
        return sources;

        void Add(string file, string root)
        {
            if (!seen.Add(file)) return;
            string relative = Path.GetRelativePath(root, file);
            string folder = Path.GetDirectoryName(relative) is { Length: > 0 } d ? d : Path.GetFileName(root);
            string group = rule switch
            {
                GroupRule.Top => relative.Split(Path.DirectorySeparatorChar)[0] is var top && top != relative ? top : Path.GetFileName(root),
                GroupRule.File => relative,
                _ => folder,
            };
            var labels = new SortedDictionary<string, JsonElement>
            {
                ["folder"] = DatasetFormat.Label(Path.GetFileName(Path.GetDirectoryName(file)!)),
            };
            sources.Add(ClipSource.FromFile(file, group, labels));
        }
    }

    static bool IsListFile(string path) => Path.GetExtension(path).ToLowerInvariant() is ".txt" or ".lst" or ".list";
}
