using System.Text.RegularExpressions;

namespace Oneshot.Evaluation.Report;

/// <summary>
/// Fills a page template's {{name}} placeholders with HTML fragments. A placeholder without a value,
/// or a value without a placeholder, is a bug in the report, so both throw.
/// </summary>
public static partial class PageTemplate
{
    public static string Fill(string template, IReadOnlyDictionary<string, string> values, string templateName)
    {
        var used = new HashSet<string>();
        string page = Placeholder().Replace(template, match =>
        {
            string name = match.Groups[1].Value;
            if (!values.TryGetValue(name, out var value))
                throw new InvalidOperationException($"{templateName}: no value for {{{{{name}}}}}.");
            used.Add(name);
            return value;
        });
        var unused = values.Keys.Where(k => !used.Contains(k)).ToList();
        if (unused.Count > 0)
            throw new InvalidOperationException($"{templateName} has no placeholder for {string.Join(", ", unused)}.");
        return page;
    }

    [GeneratedRegex(@"\{\{(\w+)\}\}")]
    private static partial Regex Placeholder();
}
