using Oneshot.Data;

namespace Oneshot.Model;

/// <summary>
/// The dataset a trained model reads clips from after training — for a prior, its controls, a map of
/// its training clips, class pads — found and checked the same way by every command: the folder given
/// with --data, else <see cref="DatasetReference.Locate"/> (where training left it, or where quickstart
/// builds the same clips). A folder without dataset.json is not there. Other clips than the ones
/// trained on (another hash) are used with a <see cref="Warning"/>: fitting a prior or controls to a
/// subset or a re-prepared copy can be meant. Only `train --resume` refuses them (RunDirectory): a run
/// must go on with the clips it began on.
/// </summary>
/// <param name="Directory">The dataset folder.</param>
/// <param name="Warning">Set when its clips are not the ones the model was trained on.</param>
public sealed record ModelDataset(string Directory, string? Warning)
{
    /// <summary>The dataset, or null when it is not there (no dataset.json).</summary>
    /// <param name="named">The folder given with --data; null: the model's own.</param>
    public static ModelDataset? Find(RunConfig config, string? named)
    {
        string path = named ?? config.Dataset.Locate();
        if (string.IsNullOrEmpty(path) || !File.Exists(Path.Combine(path, DatasetFormat.DatasetFile))) return null;
        string hash = DatasetInfo.Load(path).Hash;
        string? warning = hash == config.Dataset.Hash ? null
            : $"'{path}' ({DatasetInfo.ShortHash(hash)}) is not the dataset the model was trained on " +
                $"({DatasetInfo.ShortHash(config.Dataset.Hash)} from '{config.Dataset.Path}').";
        return new ModelDataset(path, warning);
    }

    /// <summary>The dataset, or an error that says <paramref name="why"/> it is needed and how to name it.</summary>
    public static ModelDataset Require(RunConfig config, string? named, string why) =>
        Find(config, named) ?? throw new OneshotException(Missing(config, named, why));

    /// <summary>What to say when the dataset is not there: <paramref name="why"/> (a sentence without its full stop),
    /// then what to do.</summary>
    public static string Missing(RunConfig config, string? named, string why) => named is not null
        ? $"{why}, and the dataset '{named}' given with --data is not there (no {DatasetFormat.DatasetFile} in it)."
        : $"{why}, and the model's dataset '{config.Dataset.Path}' is not there: give it with --data DIR "
          + $"(a model trained on another machine, such as the shipped one, needs its recipe prepared here: " +
              $"`./setup.sh quickstart` builds the drums dataset in "
          + $"{DatasetReference.QuickstartFolder}/data, where it is found when you run from the folder that holds it).";
}
