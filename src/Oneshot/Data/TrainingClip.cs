namespace Oneshot.Data;

/// <summary>
/// One clip a model learns from: its dataset and its index there. The training clips are the main
/// dataset's train split followed by every clip of each `--also-train-on` dataset
/// (<c>RunDirectory.ExtraStores.TrainingClips</c>); training, the prior and latent.json all read that list.
/// </summary>
public readonly record struct TrainingClip(ClipStore Store, int Index)
{
    public float[] Read() => Store.Read(Index);
}
