namespace Oneshot.Cli.Web;

/// <summary>The pages embedded in the program (wwwroot/), so a single binary serves them.</summary>
public static class Page
{
    public static string Read(string name) =>
        TryRead(name) ?? throw new InvalidOperationException($"page {name} is not embedded");

    /// <summary>An embedded file of wwwroot/ by its name; null for any other name.</summary>
    public static string? TryRead(string name)
    {
        using var stream = typeof(Page).Assembly.GetManifestResourceStream($"wwwroot/{name}");
        if (stream is null)
            return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
