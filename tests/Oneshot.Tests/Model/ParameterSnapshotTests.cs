using Oneshot.Model;

namespace Oneshot.Tests.Model;

/// <summary>
/// The parameter names and shapes each preset's model saves in model.safetensors, against an
/// approved file per preset (Snapshots/PRESET.txt). An accidental architecture change fails here;
/// an intended one is regenerated with ONESHOT_UPDATE_SNAPSHOTS=1 and shows as a diff in review.
/// Old models load only while these names and shapes stay.
/// </summary>
public class ParameterSnapshotTests
{
    [Theory]
    [InlineData("tiny")]
    [InlineData("cpu")]
    [InlineData("gpu")]
    [InlineData("cpu-version2")]   // a cpu model saved before config version 3 (PQMF encoder): still built as it was
    [InlineData("cpu-version3")]   // a cpu model of config version 3 (log-mel encoder): still built as it was
    public void Each_preset_saves_the_approved_parameter_names_and_shapes(string preset)
    {
        var config = preset switch
        {
            "cpu-version2" => RunConfig.Parse("""{"version": 2, "preset": "cpu"}""", "a version-2 config"),
            "cpu-version3" => RunConfig.Parse("""{"version": 3, "preset": "cpu"}""", "a version-3 config"),
            _ => Presets.Get(preset),
        };
        using var model = new WaveformVae(config.Model);
        string actual = string.Join("\n", ModelDirectory.Weights(model)
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key} [{string.Join(", ", p.Value.shape)}]")) + "\n";
        string path = Path.Combine(Repository.Root, "tests", "Oneshot.Tests", "Model", "Snapshots", $"{preset}.txt");
        if (Environment.GetEnvironmentVariable("ONESHOT_UPDATE_SNAPSHOTS") == "1") File.WriteAllText(path, actual);
        Assert.True(File.Exists(path), $"{path} is missing; write it with ONESHOT_UPDATE_SNAPSHOTS=1 ./setup.sh test " +
            $"--filter ParameterSnapshotTests.");
        string approved = File.ReadAllText(path);
        if (approved == actual) return;
        var expectedLines = approved.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var actualLines = actual.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var gone = expectedLines.Except(actualLines).Take(10);
        var added = actualLines.Except(expectedLines).Take(10);
        Assert.Fail($"The {preset} preset's parameters changed (models trained before would no longer load).\n" +
                    $"Gone: {string.Join("; ", gone)}\nNew: {string.Join("; ", added)}\n" +
                    "If the change is intended, regenerate with ONESHOT_UPDATE_SNAPSHOTS=1 and commit the diff.");
    }
}
