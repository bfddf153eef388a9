using Oneshot.Model;
using Oneshot.Training;

namespace Oneshot.Tests.Training;

/// <summary>latent.json and its named controls describe every clip the model trained on, --also-train-on's
/// too.</summary>
public class LatentAnalysisTests
{
    [Fact]
    public void The_controls_are_fitted_to_every_clip_the_model_trained_on_and_say_when_one_set_has_gone()
    {
        using var dir = new TempDir();
        var (model, extra, trainClips) = TinyData.TrainModelWithExtra(dir);

        var atTheEnd = ModelDirectory.LoadLatent(model)!;
        Assert.Equal(trainClips + 8, atTheEnd.Count);
        Assert.Contains(atTheEnd.Controls, c => c.Clips == trainClips + 8);   // brightness: every clip has a centroid

        var (again, warnings) = LatentAnalysis.Rewrite(model, null);
        Assert.Equal(trainClips + 8, again.Count);
        Assert.Empty(warnings);

        Directory.Move(extra, dir.File("extra-moved"));
        var (alone, moved) = LatentAnalysis.Rewrite(model, null);
        Assert.Equal(trainClips, alone.Count);
        Assert.Equal(trainClips, ModelDirectory.LoadLatent(model)!.Count);
        Assert.Contains(moved, w => w.Contains(extra) && w.Contains("is not there"));
    }
}
