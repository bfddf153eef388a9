namespace Oneshot.Storage;

/// <summary>Where Oneshot keeps what it can make again: $XDG_CACHE_HOME/oneshot, or ~/.cache/oneshot.</summary>
public static class UserCache
{
    public static string Folder(string name)
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg;
        return Path.Combine(root, "oneshot", name);
    }
}
