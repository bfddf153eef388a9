using Microsoft.Playwright;

namespace Oneshot.Tests;

/// <summary>Debian's chromium (no browser download) driven by Playwright.</summary>
public static class Browser
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>How long a page may take to react: generous, because xunit runs training tests beside the browser tests
    /// on 2 cores.</summary>
    public const int PatientMs = 90_000;

    /// <summary>A running chromium and its first page, opened at <paramref name="url"/>; disposing it closes the
    /// browser.</summary>
    /// <param name="acceptDownloads">Pages may download (a preset, a kit) into Playwright's temporary folder.</param>
    public static async Task<Session> OpenAsync(string url, bool acceptDownloads = false)
    {
        Assertions.SetDefaultExpectTimeout(PatientMs);
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing; the README's test command (./setup.sh test) " +
                $"installs Debian's chromium.");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--mute-audio"],
        });
        var session = new Session(playwright, browser, acceptDownloads);
        session.Page = await session.NewPageAsync(url);
        return session;
    }

    public sealed class Session(IPlaywright playwright, IBrowser browser, bool acceptDownloads) : IAsyncDisposable
    {
        public IPage Page { get; internal set; } = null!;

        /// <summary>Another page at <paramref name="url"/>, as patient as the first.</summary>
        public async Task<IPage> NewPageAsync(string url)
        {
            var page = acceptDownloads
                ? await (await browser.NewContextAsync(new BrowserNewContextOptions { AcceptDownloads = true }))
                    .NewPageAsync()
                : await browser.NewPageAsync();
            page.SetDefaultTimeout(PatientMs);
            await page.GotoAsync(url);
            return page;
        }

        public async ValueTask DisposeAsync()
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
