namespace Oneshot.Cli.Web;

/// <summary>The pages embedded in the program (wwwroot/), so a single binary serves them.</summary>
public static class Page
{
    public static string Read(string name)
    {
        using var stream = typeof(Page).Assembly.GetManifestResourceStream($"wwwroot/{name}") ?? throw new InvalidOperationException($"page {name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
