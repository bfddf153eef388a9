using Oneshot.Audio;
using Oneshot.Model;
using Oneshot.Training;

namespace Oneshot.Tests.Training;

public class NamedControlsTests
{
    /// <summary>
    /// Latents of 6 dimensions where dimension 2 sets the centroid (an octave per unit), dimension 4
    /// the decay (a decade per unit) and nothing sets the rest; every fourth clip is pitched.
    /// </summary>
    static (List<double[]> Latents, List<ClipDescriptors> Descriptors) Clips(int count, int seed)
    {
        var random = new Random(seed);
        double Normal() =>
            Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var latents = new List<double[]>();
        var descriptors = new List<ClipDescriptors>();
        for (int i = 0; i < count; i++)
        {
            var z = Enumerable.Range(0, 6).Select(_ => Normal()).ToArray();
            latents.Add(z);
            bool pitched = i % 4 == 0;
            descriptors.Add(new ClipDescriptors(
                LoudnessLufs: -20 + 0.3 * Normal(), PeakDb: -1, SpectralCentroidHz: 2000 * Math.Pow(2, z[2]),
                SpectralFlatness: 0.1, AttackSeconds: 0.002, DecaySeconds: 0.2 * Math.Pow(10, z[4] + 0.01 * Normal()),
                F0Hz: pitched ? 220 * Math.Pow(2, z[0] / 12) : 0, F0Confidence: pitched ? 0.9 : 0.1));
        }
        return (latents, descriptors);
    }

    [Fact]
    public void Each_named_control_follows_the_dimension_that_sets_its_descriptor()
    {
        var (train, trainDescriptors) = Clips(200, seed: 1);
        var (valid, validDescriptors) = Clips(60, seed: 2);
        var controls = NamedControls.Fit(train, trainDescriptors, valid, validDescriptors, new double[6]);
        var byName = controls.ToDictionary(c => c.Name);

        var brightness = byName["brightness"];
        Assert.True(brightness.Direction[2] > 0.99, string.Join(", ", brightness.Direction));
        Assert.True(brightness.RSquaredValid > 0.99);
        // Two standard deviations (≈ 2 units of z) either side of 2 kHz: about two octaves each way.
        Assert.InRange(brightness.Low, 2000 / 5.0, 2000 / 3.0);
        Assert.InRange(brightness.High, 2000 * 3.0, 2000 * 5.0);
        Assert.EndsWith("kHz", brightness.Span());

        var decay = byName["decay"];
        Assert.True(decay.Direction[4] > 0.99);
        Assert.True(decay.Low < 200 && decay.High > 200 && decay.Unit == "ms");

        // Pitch counts only pitched clips (a quarter of them), and follows dimension 0.
        var pitch = byName["pitch"];
        Assert.Equal(50, pitch.Clips);
        Assert.True(pitch.Direction[0] > 0.95);

        // Level is noise unrelated to z: fitted, but the held-out R² says the name is not earned.
        Assert.True(byName["level"].RSquaredValid < 0.2);
        Assert.All(controls, c => Assert.Equal(1.0, c.Direction.Sum(v => v * v), 6));
    }

    [Fact]
    public void Held_directions_move_their_quality_and_hold_one_that_goes_with_it_in_the_data()
    {
        // Brightness follows z0 + z1, noisiness follows z1: brighter clips are noisier, as drums are.
        var random = new Random(4);
        double Normal() =>
            Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var latents = new List<double[]>();
        var descriptors = new List<ClipDescriptors>();
        for (int i = 0; i < 300; i++)
        {
            var z = Enumerable.Range(0, 6).Select(_ => Normal()).ToArray();
            latents.Add(z);
            descriptors.Add(new ClipDescriptors(-20 + 0.3 * Normal(), -1, 2000 * Math.Pow(2, z[0] + z[1]),
                0.1 * Math.Pow(10, z[1]),
                0.002 * Math.Pow(10, 0.3 * z[3]), 0.2, 0, 0));
        }
        var regression = NamedControls.Fit(latents, descriptors, [], [], new double[6]).ToDictionary(c => c.Name);
        var held = NamedControls.Fit(latents, descriptors, [], [], new double[6], directions: ControlDirections.Held)
            .ToDictionary(c => c.Name);

        // The best predictor of brightness also moves noisiness (it leans on z1); the held one moves z0 alone.
        Assert.InRange(regression["brightness"].Direction[1], 0.6, 0.8);
        Assert.True(held["brightness"].Direction[0] > 0.99, string.Join(", ", held["brightness"].Direction));
        // Noisiness held against brightness: along z1 − z0, where brightness stays put.
        var noisiness = held["noisiness"].Direction;
        Assert.InRange(noisiness[1], 0.65, 0.76);
        Assert.InRange(noisiness[0], -0.76, -0.65);
        // An unrelated quality keeps its own dimension either way; the spans stay in the descriptor's units.
        Assert.True(held["attack"].Direction[3] > 0.99);
        // ±2 σ along z0: about four octaves in all
        Assert.InRange(held["brightness"].High / held["brightness"].Low, 8, 40);
        Assert.All(held.Values, c => Assert.Equal(1.0, c.Direction.Sum(v => v * v), 6));
    }

    [Fact]
    public void A_control_spans_no_more_than_the_training_clips_do()
    {
        // The centroid follows dimension 2 only within ±0.3 octaves of 2 kHz: the fitted line,
        // extended two deviations each way, runs past every clip, and the span must not.
        var (train, trainDescriptors) = Clips(200, seed: 3);
        trainDescriptors =
            [.. trainDescriptors.Zip(train,
            (d, z) => d with { SpectralCentroidHz = 2000 * Math.Pow(2, Math.Clamp(z[2], -0.3, 0.3)) })];
        var (valid, validDescriptors) = Clips(60, seed: 4);
        var brightness = NamedControls.Fit(train, trainDescriptors, valid, validDescriptors, new double[6])
            .Single(c => c.Name == "brightness");
        double lowest = trainDescriptors.Min(d => d.SpectralCentroidHz),
            highest = trainDescriptors.Max(d => d.SpectralCentroidHz);
        Assert.True(brightness.Low >= lowest - 1e-6 && brightness.High <= highest + 1e-6,
            $"spans {brightness.Low:F0}–{brightness.High:F0} Hz, the clips {lowest:F0}–{highest:F0} Hz");
        Assert.True(brightness.High > brightness.Low);
    }

    [Fact]
    public void Too_few_clips_or_a_constant_descriptor_give_no_control()
    {
        var (train, descriptors) = Clips(20, seed: 3);
        var controls = NamedControls.Fit(train, descriptors, [], [], new double[6]);
        Assert.DoesNotContain(controls, c => c.Name == "pitch");            // 5 pitched clips
        Assert.DoesNotContain(controls, c => c.Name == "attack");           // the same attack everywhere
        Assert.All(controls, c => Assert.Null(c.RSquaredValid));
    }

    [Fact]
    public void A_span_reads_in_the_units_a_player_knows()
    {
        NamedControl Span(string unit, double low, double high) =>
            new("x", "", "", unit, "fitted", [1], 1, 1, low, high, 1, null, 10);
        Assert.Equal("0.3–14.68 kHz", Span("Hz", 300, 14680).Span());
        Assert.Equal("69.6–311.6 Hz", Span("Hz", 69.6, 311.6).Span());
        Assert.Equal("flatness -30 to -10 dB", Span("flatness", 0.001, 0.1).Span());
        Assert.Equal("-24.8 to -17.4 LUFS", Span("LUFS", -24.8, -17.4).Span());
        Assert.Equal("24.2–1871.5 ms", Span("ms", 24.2, 1871.5).Span());
    }
}
