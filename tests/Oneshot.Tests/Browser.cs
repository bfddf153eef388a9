using Microsoft.Playwright;

namespace Oneshot.Tests;

/// <summary>Debian's chromium (no browser download) driven by Playwright.</summary>
public static class Browser
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>How long a page may take to react: generous, because xunit runs training tests beside the browser tests on 2 cores.</summary>
    public const int PatientMs = 90_000;

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        Assertions.SetDefaultExpectTimeout(PatientMs);
        if (!File.Exists(Chromium)) throw new InvalidOperationException($"{Chromium} is missing; the README's test command (./setup.sh test) installs Debian's chromium.");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--mute-audio"],
        });
        return (playwright, browser);
    }
}
