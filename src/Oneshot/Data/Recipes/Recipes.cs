namespace Oneshot.Data.Recipes;

/// <summary>What to build with `oneshot data recipe NAME`.</summary>
/// <param name="PerGroup">drums/notes: at most this many sounds per kit or program (0 = all).</param>
/// <param name="Count">synthetic: how many sounds.</param>
/// <param name="SoundFont">gm-drums/notes: the SoundFont to render.</param>
public sealed record RecipeRequest(string Name, int PerGroup = 0, int Count = 400, NotesSettings? Notes = null,
    string DrumKits = DrumsRecipe.DefaultRoot,
    string SoundFont = NotesRecipe.DefaultSoundFont);

/// <summary>The sounds of a recipe, ready for <see cref="DatasetBuilder"/>; dispose after building.</summary>
public sealed class RecipeSources(IReadOnlyList<ClipSource> sources, string description, IDisposable? owner = null,
    string? note = null) : IDisposable
{
    public IReadOnlyList<ClipSource> Sources { get; } = sources;
    /// <summary>Recorded as the dataset's source in dataset.json.</summary>
    public string Description { get; } = description;
    /// <summary>Something the user should know before the build, e.g. what was left out; null when nothing.</summary>
    public string? Note { get; } = note;
    public void Dispose() => owner?.Dispose();
}

public static class Recipes
{
    public static readonly string[] Names = ["drums", "gm-drums", "notes", "synthetic"];

    /// <summary>The recipe used when none is named: real drums when installed, else the built-in generator.</summary>
    public static string Default => DrumsRecipe.IsInstalled() ? "drums" : "synthetic";

    public static RecipeSources Open(RecipeRequest request, PrepareOptions options)
    {
        string perGroup = request.PerGroup > 0 ? $"; at most {request.PerGroup} per group" : "";
        switch (request.Name)
        {
            case "drums":
            {
                var (kits, leftOut) = DrumsRecipe.KitFolders(request.DrumKits);
                string? note = leftOut.Count == 0 ? null
                    : $"Left out {leftOut.Count} kit(s) that are not from {DrumsRecipe.Package}, so that the splits " +
                        $"stay those of everyone else's drums dataset: "
                      + string.Join(", ", leftOut.Select(Path.GetFileName))
                      + $". To use every kit: oneshot data prepare '{request.DrumKits}' --group-by top --out DIR";
                return new RecipeSources(DrumsRecipe.Sources(kits, request.PerGroup),
                    $"recipe drums: {request.DrumKits}{perGroup}", note: note);
            }
            case "gm-drums":
            {
                var recipe = new GmDrumsRecipe(request.SoundFont, options.SampleRate, options.ClipLength,
                    request.PerGroup);
                return new RecipeSources(recipe.Sources,
                    $"recipe gm-drums: {request.SoundFont}; {recipe.KitsFound.Count} kits × " +
                        $"{GmDrumsRecipe.Sounds.Length} sounds × velocities " +
                        $"{string.Join(",", GmDrumsRecipe.Velocities)}{perGroup}",
                    recipe);
            }
            case "notes":
            {
                var notes = request.Notes ?? new NotesSettings();
                var recipe = new NotesRecipe(notes, request.SoundFont, options.SampleRate, options.ClipLength,
                    request.PerGroup);
                return new RecipeSources(recipe.Sources,
                    $"recipe notes: {request.SoundFont}; programs {string.Join(",", notes.Programs)}; pitches " +
                        $"{string.Join(",", notes.Pitches)}; velocities {string.Join(",", notes.Velocities)}{perGroup}",
                    recipe);
            }
            case "synthetic":
                return new RecipeSources(SyntheticRecipe.Sources(request.Count, options.SampleRate, options.ClipLength,
                    options.Seed),
                    $"recipe synthetic: {request.Count} sounds, seed {options.Seed}");
            default:
                throw new OneshotException($"Unknown recipe '{request.Name}': use {string.Join(", ", Names)}.");
        }
    }

    /// <summary>At most <paramref name="count"/> items spread evenly through the list (all when count ≤ 0).</summary>
    public static IReadOnlyList<T> EvenlySpaced<T>(IReadOnlyList<T> items, int count)
    {
        if (count <= 0 || items.Count <= count) return items;
        return [.. Enumerable.Range(0, count).Select(i => items[(int)((long)i * items.Count / count)])];
    }
}
