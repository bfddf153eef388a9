using System.Text.RegularExpressions;

namespace Oneshot.Tests.Build;

/// <summary>
/// Code wraps at the width .editorconfig gives (max_line_length): Roslyn has no such rule, so the suite checks it.
/// scripts/wrap-long-lines.py wraps a C# file that fails here.
/// </summary>
public partial class LineWidthTests
{
    [Fact]
    public void No_source_line_is_wider_than_editorconfig_allows()
    {
        int width = MaxLineLength();
        var tooWide = new List<string>();
        foreach (string folder in new[] { "src", "tests", "scripts" })
            foreach (string file in Directory.EnumerateFiles(Path.Combine(Repository.Root, folder), "*.*",
                SearchOption.AllDirectories))
            {
                if (Path.GetExtension(file) is not (".cs" or ".js") || IsBuildOutput(file))
                    continue;
                string[] lines = File.ReadAllLines(file);
                for (int i = 0; i < lines.Length; i++)
                    if (lines[i].Length > width)
                        tooWide.Add($"{Path.GetRelativePath(Repository.Root, file)}:{i + 1} ({lines[i].Length} " +
                            $"columns)");
            }
        Assert.True(tooWide.Count == 0, $"{tooWide.Count} lines are wider than {width} columns " +
            $"(.editorconfig max_line_length); wrap them (C#: scripts/wrap-long-lines.py FILE):\n" +
            string.Join("\n", tooWide.Take(30)));
    }

    static int MaxLineLength()
    {
        string config = File.ReadAllText(Path.Combine(Repository.Root, ".editorconfig"));
        var match = MaxLineLengthSetting().Match(config);
        Assert.True(match.Success, ".editorconfig names no max_line_length");
        return int.Parse(match.Groups[1].Value);
    }

    static bool IsBuildOutput(string file) =>
        file.Split(Path.DirectorySeparatorChar) is var parts && (parts.Contains("bin") || parts.Contains("obj")
            || parts.Contains("node_modules"));

    [GeneratedRegex(@"^max_line_length\s*=\s*(\d+)", RegexOptions.Multiline)]
    private static partial Regex MaxLineLengthSetting();
}
