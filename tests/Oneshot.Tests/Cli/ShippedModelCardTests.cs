using Oneshot.Generation;
using Oneshot.Model;

namespace Oneshot.Tests.Cli;

/// <summary>
/// The model in the repository's models/drums against its card: the weights are the ones the card
/// names, the model decodes, and the held-out clips the card lists reconstruct as well as it says.
/// Runs whenever models/drums is there (skipped in a checkout without it).
/// </summary>
public class ShippedModelCardTests
{
    static string ShippedDirectory => Path.Combine(Repository.Root, "models", "drums");

    /// <summary>The card keeps four decimals; the same weights on another CPU may round a float differently.</summary>
    const double Tolerance = 2e-3;

    public sealed class ShippedModelFactAttribute : FactAttribute
    {
        public ShippedModelFactAttribute()
        {
            if (!ModelDirectory.Exists(ShippedDirectory)) Skip = "no models/drums in this checkout";
        }
    }

    [ShippedModelFact]
    public void The_shipped_weights_are_the_cards_and_reconstruct_its_held_out_clips_as_it_says()
    {
        var card = ModelCard.Read(ShippedDirectory);
        Assert.Equal(card.WeightsSha256,
            ModelPackage.Sha256(Path.Combine(ShippedDirectory, ModelDirectory.WeightsFile)));
        string readable = Path.Combine(ShippedDirectory, "MODEL_CARD.md");
        Assert.True(File.Exists(readable), "the shipped model comes with MODEL_CARD.md");
        // the card people read names these weights, not earlier ones
        Assert.Contains(card.WeightsSha256, File.ReadAllText(readable));
        Assert.NotEmpty(card.Clips);

        using var runner = new ModelRunner(ShippedDirectory);
        var sampled = runner.Decode([new float[runner.LatentSize]]);
        Assert.All(sampled[0], v => Assert.True(float.IsFinite(v)));
        Assert.Contains(sampled[0], v => v != 0);

        var missing = card.Clips.Where(c => !File.Exists(c.Source)).Select(c => c.Source).ToList();
        Assert.True(missing.Count == 0, $"the card's clips come from hydrogen-drumkits (./setup.sh installs it); " +
            $"missing: {string.Join(", ", missing)}");
        var again = ModelCard.Measure(runner, [.. card.Clips.Select(c => c.Source)]);
        for (int i = 0; i < again.Length; i++)
            Assert.True(Math.Abs(again[i] - card.Clips[i].LogMelL1) <= Tolerance,
                $"{card.Clips[i].Source}: log-mel L1 {again[i]:F4}, the card says {card.Clips[i].LogMelL1:F4}");
    }
}
