using System.Text.RegularExpressions;

namespace Oneshot.Tests.Cli;

/// <summary>
/// The docs' links land: every relative link to a Markdown file names a file that exists and, with a
/// #fragment, a heading of that file (decisions.md cites the benchmarks log by its headings, so
/// renaming a heading must update the row); every image, sound or script they link to exists.
/// </summary>
public partial class DocLinkTests
{
    [Fact]
    public void Every_link_between_the_docs_reaches_a_file_and_a_heading()
    {
        var problems = new List<string>();
        foreach (string page in Pages())
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(page)))
            {
                string target = link.Groups["file"].Value, fragment = link.Groups["fragment"].Value;
                string file = target.Length == 0 ? page
                    : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, target));
                string where = $"{Path.GetRelativePath(Repository.Root, page)}: ({target}#{fragment})".Replace("#)",
                    ")");
                if (!File.Exists(file)) { problems.Add($"{where}: no such file"); continue; }
                if (fragment.Length > 0 && !Anchors(file).Contains(fragment))
                    problems.Add($"{where}: no heading with that anchor");
            }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Every_image_audio_file_and_script_the_docs_link_to_exists()
    {
        var problems = new List<string>();
        foreach (string page in Pages())
            foreach (Match link in AnyRelativeLink().Matches(File.ReadAllText(page)))
            {
                string target = Uri.UnescapeDataString(link.Groups["file"].Value);
                if (!File.Exists(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, target))))
                    problems.Add($"{Path.GetRelativePath(Repository.Root, page)}: ({target}): no such file");
            }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    static IEnumerable<string> Pages() =>
        Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md")
            .Append(Path.Combine(Repository.Root, "README.md"))
            .Append(Path.Combine(Repository.Root, "models", "drums", "MODEL_CARD.md"));

    /// <summary>GitHub's anchor for each heading: lower case, every character but letters, digits, spaces, '-' and '_'
    /// dropped, spaces to '-'.</summary>
    static HashSet<string> Anchors(string file) =>
        File.ReadLines(file).Where(l => l.StartsWith('#'))
            .Select(l => NotInAnchor().Replace(l.TrimStart('#').Trim().ToLowerInvariant(), "").Replace(' ', '-'))
            .ToHashSet();

    [GeneratedRegex(@"\]\((?<file>[^)#\s:]*\.md)?(?:#(?<fragment>[^)\s]+))?\)")]
    private static partial Regex MarkdownLink();

    /// <summary>A Markdown link or image to a file beside the page (no scheme, not a #fragment alone, not
    /// .md).</summary>
    [GeneratedRegex(@"\]\((?<file>(?![a-z]+:)[^)#\s]+\.(?!md\b)[A-Za-z0-9]+)(?:#[^)\s]*)?\)")]
    private static partial Regex AnyRelativeLink();

    [GeneratedRegex(@"[^\p{L}\p{Nd}\p{Mn} _-]")]
    private static partial Regex NotInAnchor();
}
