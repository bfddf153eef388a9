using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Oneshot.Cli.Web;

/// <summary>The Kestrel set-up the local pages share: quiet logs, loopback (or every interface), a body size limit, a
/// clear error for a busy port.</summary>
public static class LocalWebApp
{
    public static WebApplication Build(bool allInterfaces, int port, long maxRequestBytes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(allInterfaces ? IPAddress.Any : IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = maxRequestBytes;
        });
        return builder.Build();
    }

    /// <summary>Starts the app and returns its address as a person would type it (localhost, or this machine's name on
    /// the network).</summary>
    public static async Task<string> StartAsync(WebApplication app, bool allInterfaces, int port,
        CancellationToken cancellation)
    {
        try
        {
            await app.StartAsync(cancellation);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new OneshotException($"--port {port} is not free ({e.Message}); pick another with --port, or 0 for " +
                $"any.", e);
        }
        string address =
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return allInterfaces
            ? address.Replace("0.0.0.0", Dns.GetHostName()).Replace("[::]", Dns.GetHostName())
            : address.Replace("127.0.0.1", "localhost");
    }
}
