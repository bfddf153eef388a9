namespace Oneshot.Tests;

/// <summary>
/// The browser tests run on their own, after the rest: xunit otherwise runs them beside training
/// tests, and two libtorch workloads plus chromium on 2 cores slow each other many times over.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}
