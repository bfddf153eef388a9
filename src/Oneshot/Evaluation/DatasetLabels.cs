using Oneshot.Data;

namespace Oneshot.Evaluation;

/// <summary>The labels of a dataset's clips that evaluation breaks its scores down by.</summary>
static class DatasetLabels
{
    /// <summary>The clips' groups, and their "class" and "instrument" labels where every clip has one.</summary>
    public static ClipLabels Of(ClipStore store, int[] indices)
    {
        var metas = indices.Select(i => store.Meta[i]).ToArray();
        string[]? Every(Func<ClipMeta, string?> label)
        {
            var values = metas.Select(label).OfType<string>().ToArray();
            return values.Length == metas.Length ? values : null;
        }
        // An instrument name is only unique within its kit ("Snare" is in every kit).
        return new ClipLabels(Every(ClassOf), [.. metas.Select(m => m.Group)],
            Every(m => m.TextLabel("instrument") is { } name ? $"{m.Group}/{name}" : null));
    }

    static string? ClassOf(ClipMeta meta) => meta.TextLabel("class");

    /// <summary>What a clip is called in the report's plots: its class, else its group.</summary>
    public static string Plotted(ClipMeta meta) => ClassOf(meta) ?? meta.Group;
}
