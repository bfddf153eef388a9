using System.Text.Json.Nodes;
using Oneshot.Audio;
using Oneshot.Model;
using Oneshot.Training;

namespace Oneshot.Tests.Training;

public class AugmentationTests
{
    const int Rate = 44100;

    [Theory]
    [InlineData(12, 880)]
    [InlineData(-12, 220)]
    [InlineData(3, 523.25)]
    public void Retuning_changes_pitch_and_length_together_as_a_sampler_does(double semitones, double expectedHz)
    {
        // Half a second of A4, then silence; the clip stays one second long.
        var clip = new float[Rate];
        Signals.Sine(440, Rate, Rate / 2).CopyTo(clip, 0);
        var retuned = Retuning.Retune(clip, Rate, semitones, ResamplingKernel.Fast);

        Assert.Equal(clip.Length, retuned.Length);
        double soundingSeconds = Math.Min(1.0, 0.5 / Math.Pow(2, semitones / 12));
        int sounding = (int)(soundingSeconds * Rate);
        double measuredHz =
            PositiveZeroCrossings(retuned.AsSpan(0, sounding - 200)) / ((sounding - 200) / (double)Rate);
        Assert.InRange(measuredHz, expectedHz * 0.99, expectedHz * 1.01);
        if (soundingSeconds < 1)
        {
            Assert.True(Signals.Rms(retuned.AsSpan(sounding + 200)) < 1e-3,
                "after the shortened note there should be silence");
        }
        else
        {
            // Slowed down past the clip's end: cut, with a fade rather than a click.
            Assert.True(Math.Abs(retuned[^1]) < 1e-3
                && Signals.Rms(retuned.AsSpan(retuned.Length - Rate / 10, Rate / 20)) > 0.3);
        }
    }

    [Theory]
    [InlineData(6.0)]
    [InlineData(-6.0)]
    public void The_high_shelf_has_its_gain_above_the_corner_and_none_at_DC(double gainDb)
    {
        var (b, a) = Biquad.HighShelfCoefficients(Rate, 2000, gainDb);
        Assert.Equal(0, ResponseDb(b, a, 0), 2);
        Assert.Equal(gainDb / 2, ResponseDb(b, a, 2000), 1);
        Assert.Equal(gainDb, ResponseDb(b, a, Rate / 2.0), 1);
        Assert.Equal(gainDb, ResponseDb(b, a, 16000), 0);
    }

    [Fact]
    public void Shelving_brightens_or_darkens_at_the_same_peak()
    {
        var noise = Signals.Noise(Rate / 2, seed: 3);
        var brighter = (float[])noise.Clone();
        var darker = (float[])noise.Clone();
        Augmentation.Shelve(brighter, Rate, 2000, +6);
        Augmentation.Shelve(darker, Rate, 2000, -6);

        float peak = noise.Max(Math.Abs);
        Assert.Equal(peak, brighter.Max(Math.Abs), 5);
        Assert.Equal(peak, darker.Max(Math.Abs), 5);
        double centroid = Descriptors.Spectral(noise, Rate).CentroidHz;
        Assert.True(Descriptors.Spectral(brighter, Rate).CentroidHz > centroid + 500);
        Assert.True(Descriptors.Spectral(darker, Rate).CentroidHz < centroid - 500);
    }

    [Fact]
    public void Retuning_and_tone_are_on_by_default_off_in_version_1_configs_without_them_and_change_the_clip()
    {
        var clip = Signals.Noise(Rate / 4, seed: 5);
        float[] Augment(TrainConfig config)
        {
            var output = new float[clip.Length];
            Augmentation.Apply(clip, output, Rate, config, new Random(11));
            return output;
        }
        Assert.Equal((3.0, 6.0), (new TrainConfig().AugmentPitchSemitones, new TrainConfig().AugmentShelfDb));
        // the cpu preset is the records' defaults
        Assert.Equal(new RunConfig { Preset = "cpu" }.ToJson(), Presets.Get("cpu").ToJson());

        // A version-1 config.json written before the keys existed trained without them, and resumes so.
        var node = JsonNode.Parse(Presets.Get("cpu").ToJson())!.AsObject();
        node["version"] = 1;
        node["train"]!.AsObject().Remove("augment_pitch_semitones");
        node["train"]!.AsObject().Remove("augment_shelf_db");
        var old = RunConfig.Parse(node.ToJsonString(), "an old config");
        Assert.Equal((0.0, 0.0), (old.Train.AugmentPitchSemitones, old.Train.AugmentShelfDb));
        Assert.Equal(RunConfig.CurrentVersion, old.Version);
        node["version"] = RunConfig.CurrentVersion + 1;
        Assert.Contains("version",
            Assert.Throws<OneshotException>(() => RunConfig.Parse(node.ToJsonString(), "a newer config")).Message);

        var off = old.Train;
        Assert.Equal(Augment(off), Augment(off));
        Assert.NotEqual(Augment(off), Augment(off with { AugmentPitchSemitones = 2 }));
        Assert.NotEqual(Augment(off), Augment(off with { AugmentShelfDb = 6 }));
        Assert.Throws<OneshotException>(() => (off with { AugmentPitchSemitones = 24 }).Validate());
    }

    /// <summary>The descriptors the attribute loss is given for an augmented clip are the ones measured on
    /// it.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void An_augmented_clips_descriptors_follow_from_the_original_and_the_draw_as_measured(int seed)
    {
        // A struck harmonic tone at 196 Hz: pitched, with an attack and a decay to follow.
        var clip = new float[Rate];
        for (int i = 0; i < clip.Length; i++)
        {
            double t = (double)i / Rate, sum = 0;
            for (int k = 1; k <= 8; k++) sum += Math.Sin(2 * Math.PI * 196 * k * t) / k;
            clip[i] = (float)(0.3 * sum * Math.Exp(-6 * t) * Math.Min(1, t / 0.01));
        }
        var original = Descriptors.Compute(clip, Rate);
        var output = new float[clip.Length];
        var config = new TrainConfig { AugmentAllpassProbability = 0 };
        var drawn = Augmentation.Apply(clip, output, Rate, config, new Random(seed));
        Assert.NotEqual(0, drawn.Semitones);
        Assert.NotEqual(0, drawn.ShelfDb);
        var described = Augmentation.Describe(original, drawn, output, Rate);
        var measured = Descriptors.Compute(output, Rate);
        Assert.Equal(measured.F0Hz, described.F0Hz, measured.F0Hz * 0.01);
        Assert.Equal(measured.SpectralCentroidHz, described.SpectralCentroidHz, 1e-6);
        Assert.Equal(measured.LoudnessLufs, described.LoudnessLufs, 1e-6);
        Assert.Equal(measured.DecaySeconds, described.DecaySeconds, measured.DecaySeconds * 0.1);

        // Without the shelf, retuning is accounted for in closed form.
        var noShelf = config with { AugmentShelfDb = 0 };
        drawn = Augmentation.Apply(clip, output, Rate, noShelf, new Random(seed));
        described = Augmentation.Describe(original, drawn, output, Rate);
        measured = Descriptors.Compute(output, Rate);
        Assert.Equal(measured.SpectralCentroidHz, described.SpectralCentroidHz, measured.SpectralCentroidHz * 0.05);
        Assert.Equal(measured.LoudnessLufs, described.LoudnessLufs, 1e-6);
    }

    static int PositiveZeroCrossings(ReadOnlySpan<float> x)
    {
        int count = 0;
        for (int i = 1; i < x.Length; i++) if (x[i - 1] < 0 && x[i] >= 0) count++;
        return count;
    }

    static double ResponseDb(double[] b, double[] a, double hz)
    {
        var z = System.Numerics.Complex.FromPolarCoordinates(1, -2 * Math.PI * hz / Rate);
        var h = (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z);
        return 20 * Math.Log10(h.Magnitude);
    }
}
