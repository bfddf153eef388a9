using Oneshot.Model;

namespace Oneshot.Cli.Commands;

/// <summary>
/// The model that comes with Oneshot: the repository's models/drums, which the build copies beside
/// the program. `play`, `sample`, `reconstruct`, `kit` and `quickstart` use it when no model is named.
/// ONESHOT_SHIPPED_MODEL points elsewhere (tests, or a model of one's own as the default).
/// </summary>
public static class ShippedModel
{
    public const string EnvironmentVariable = "ONESHOT_SHIPPED_MODEL";

    public static string Directory =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } chosen ? chosen
            : Path.Combine(AppContext.BaseDirectory, "models", "drums");

    public static bool Available => ModelDirectory.Exists(Directory);

    /// <summary>The named model, or the shipped one when none is named; an error says what to do when there is
    /// neither.</summary>
    public static string Or(string? named)
    {
        if (!string.IsNullOrEmpty(named)) return named;
        if (Available) return Directory;
        throw new OneshotException($"No model was named and the shipped model is not at '{Directory}': name a model " +
            $"directory (from `oneshot train` or "
            + $"`oneshot quickstart --train-minutes 3`), or rebuild with ./setup.sh build, which puts models/drums " +
                $"beside the program.");
    }
}
