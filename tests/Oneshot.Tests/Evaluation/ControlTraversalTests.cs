using Oneshot.Audio;
using Oneshot.Evaluation;
using Oneshot.Model;
using Oneshot.Statistics;

namespace Oneshot.Tests.Evaluation;

public class ControlTraversalTests
{
    const int Rate = 16000, Length = 16000;

    /// <summary>
    /// A hand-made "decoder": a decaying 200 Hz harmonic tone whose harmonics roll off less steeply
    /// as z[0] grows (brighter), brought to −20 LUFS, so pitch, envelope and level stay put.
    /// </summary>
    static float[][] Decode(IReadOnlyList<float[]> latents) => [.. latents.Select(z =>
    {
        double tilt = 2.5 - 0.5 * z[0];
        var x = new float[Length];
        for (int i = 0; i < Length; i++)
        {
            double t = (double)i / Rate, sum = 0;
            for (int k = 1; k <= 30; k++) sum += Math.Pow(k, -tilt) * Math.Sin(2 * Math.PI * 200 * k * t);
            x[i] = (float)(sum * Math.Exp(-4 * t) * Math.Min(1, t / 0.005));
        }
        double gain = Loudness.DbToAmplitude(-20 - Loudness.IntegratedLufs(x, Rate));
        return x.Select(v => (float)(v * gain)).ToArray();
    })];

    static NamedControl Control(string name, double[] direction) =>
        new(name, "", "log2", "Hz", "fitted", direction, Std: 1, Slope: 1, Low: 500, High: 2000, RSquaredTrain: 1,
            RSquaredValid: 1, Clips: 10);

    [Fact]
    public void A_control_that_moves_only_brightness_scores_rho_one_and_no_cross_talk()
    {
        List<float[]> latents = [new float[3], [0.5f, 1, -1], [-0.7f, 0, 2]];
        var results = ControlTraversals.Measure([Control("brightness", [1, 0, 0]), Control("decay", [0, 1, 0])],
            latents, [true, true, true],
            new double[3], Rate, Decode);

        var brightness = results.Single(r => r.Name == "brightness");
        Assert.Equal(1.0, brightness.Rho!.Value, 6);
        Assert.True(brightness.Change > 100, $"centroid moved {brightness.Change} Hz");
        Assert.Equal("Hz", brightness.ChangeUnit);
        Assert.True(brightness.CrossTalk < 0.1, $"cross-talk {brightness.CrossTalk} with {brightness.CrossTalkWith}");

        // A direction the decoder ignores changes nothing: no ρ, no change, no cross-talk.
        var decay = results.Single(r => r.Name == "decay");
        Assert.Equal(0.0, decay.Rho!.Value);
        Assert.Equal(0.0, decay.Change!.Value, 6);
        Assert.Equal(0.0, decay.CrossTalk!.Value);
    }

    [Fact]
    public void Pitch_is_moved_on_pitched_clips_only_and_positions_are_set_as_the_slider_sets_them()
    {
        List<float[]> latents = [new float[3], [1, 1, 1], [2, 0, 0]];
        var results = ControlTraversals.Measure([Control("pitch", [0, 0, 1])], latents, [true, false, true],
            new double[3], Rate, Decode);
        Assert.Equal(2, results.Single().Clips);

        var control = Control("brightness", [0.6, 0.8, 0]) with { Std = 2 };
        var moved = ControlTraversals.At([1, 1, 1], control, [0, 0, 0], 1.5);
        Assert.Equal(1.5 * 2, moved.Zip(control.Direction, (a, b) => a * b).Sum(), 5);
        Assert.Equal(0.8 * 1 - 0.6 * 1, 0.8 * moved[0] - 0.6 * moved[1], 5);   // the orthogonal part is kept
    }

    [Fact]
    public void Spearman_rho_follows_ranks_and_ties()
    {
        Assert.Equal(1.0, Correlation.Spearman([1, 2, 3, 4], [10, 20, 25, 1000]), 9);
        Assert.Equal(-1.0, Correlation.Spearman([1, 2, 3], [3, 2, 1]), 9);
        Assert.Equal(0.0, Correlation.Spearman([1, 2, 3], [5, 5, 5]));
        // With ties, as scipy.stats.spearmanr([1, 2, 3, 4], [1, 2, 2, 3]) gives: 0.9486832980505138.
        Assert.Equal(0.9486832980505138, Correlation.Spearman([1, 2, 3, 4], [1, 2, 2, 3]), 9);
    }
}
