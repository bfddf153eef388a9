using Oneshot.Data;
using Oneshot.Model;
using Oneshot.Tests.Training;

namespace Oneshot.Tests.Model;

/// <summary>A model trained on another machine (the shipped one) finds its dataset where quickstart builds it, and only
/// the same clips.</summary>
public class DatasetLocationTests
{
    [Fact]
    public void A_missing_dataset_is_found_where_quickstart_builds_the_same_clips()
    {
        using var dir = new TempDir();
        string quickstart = DatasetReference.QuickstartDataset(dir.File(DatasetReference.QuickstartFolder));
        TinyData.Build(dir, count: 12, name: Path.GetRelativePath(dir.Path, quickstart));
        string hash = DatasetInfo.Load(quickstart).Hash;

        var elsewhere = new DatasetReference { Path = "/machine/that/trained/it/drums", Hash = hash };
        Assert.Equal(quickstart, elsewhere.Locate(dir.Path));

        // Other clips there are not this model's dataset: the recorded path stays, so messages name it.
        var other = elsewhere with { Hash = "sha256:" + new string('0', 64) };
        Assert.Equal(other.Path, other.Locate(dir.Path));

        // Nothing built there: the recorded path.
        using var empty = new TempDir();
        Assert.Equal(elsewhere.Path, elsewhere.Locate(empty.Path));
    }

    [Fact]
    public void A_dataset_that_is_where_it_was_recorded_is_taken_from_there()
    {
        using var dir = new TempDir();
        string here = TinyData.Build(dir, count: 12, name: "here");
        string quickstart = DatasetReference.QuickstartDataset(dir.File(DatasetReference.QuickstartFolder));
        TinyData.Build(dir, count: 12, name: Path.GetRelativePath(dir.Path, quickstart));
        var reference = new DatasetReference { Path = here, Hash = DatasetInfo.Load(here).Hash };
        Assert.Equal(here, reference.Locate(dir.Path));
    }

    /// <summary>One policy for every command that reads a trained model's clips (prior, controls, map, class
    /// pads).</summary>
    [Fact]
    public void A_models_dataset_is_found_one_way_a_folder_without_dataset_json_is_not_there_and_other_clips_warn()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir, count: 12);
        string other = TinyData.Build(dir, count: 8, name: "other");
        var config =
            TinyData.Config() with { Dataset = new DatasetReference { Path = data,
            Hash = DatasetInfo.Load(data).Hash } };

        var own = ModelDataset.Find(config, null)!;
        Assert.Equal((data, (string?)null), (own.Directory, own.Warning));
        var elsewhere = ModelDataset.Require(config, other, "Testing");
        Assert.Equal(other, elsewhere.Directory);
        Assert.Contains("is not the dataset the model was trained on", elsewhere.Warning);

        Directory.CreateDirectory(dir.File("empty"));   // a folder, but no dataset
        Assert.Null(ModelDataset.Find(config, dir.File("empty")));
        var named =
            Assert.Throws<OneshotException>(() =>
            ModelDataset.Require(config, dir.File("empty"), "Class pads choose among the training clips"));
        Assert.Contains(dir.File("empty"), named.Message);
        Assert.Contains("--data", named.Message);
        var moved = config with { Dataset = config.Dataset with { Path = dir.File("gone") } };
        var missing = Assert.Throws<OneshotException>(() =>
            ModelDataset.Require(moved, null, "A prior is fitted to the model's training clips"));
        Assert.StartsWith("A prior is fitted to the model's training clips, and the model's dataset", missing.Message);
        Assert.Contains("quickstart", missing.Message);
    }
}
