using Oneshot.Evaluation;

namespace Oneshot.Tests.Evaluation;

/// <summary>The round-trip measures DrumGAN VST reports (LSD, SNR) and the frame-rate buzz, on sounds whose answer is
/// known.</summary>
public class RoundTripMeasuresTests
{
    const int Rate = 44100, Length = 65536;
    const double FrameRate = 44100.0 / 2048;

    static float[] Noise(int seed, double level = 0.3)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, Length).Select(_ => (float)(level * (random.NextDouble() * 2 - 1)))];
    }

    [Fact]
    public void Lsd_and_snr_read_a_copy_a_gain_and_added_noise()
    {
        var x = Noise(1);
        var same = ReconstructionScores.Spectra([x], [x], Rate);
        Assert.Equal(0, same.LsdDb, 6);
        Assert.True(same.SnrDb > 100, $"a copy's SNR {same.SnrDb}");

        // Twice the amplitude: every bin 6.02 dB up, so the LSD is 20·log10 2; the error equals the signal, so SNR 0
        // dB.
        var louder = ReconstructionScores.Spectra([x], [x.Select(v => 2 * v).ToArray()], Rate);
        Assert.Equal(20 * Math.Log10(2), louder.LsdDb, 2);
        Assert.Equal(0, louder.SnrDb, 3);

        // Independent noise a tenth of the level: SNR 20 dB; an unrelated clip of the same level: about 0 dB and a
        // larger LSD.
        var n = Noise(2, 0.03);
        var noisy = ReconstructionScores.Spectra([x], [x.Zip(n, (a, b) => a + b).ToArray()], Rate);
        Assert.InRange(noisy.SnrDb, 19.5, 20.5);
        var other = ReconstructionScores.Spectra([x], [Noise(3)], Rate);
        Assert.InRange(other.SnrDb, -3.5, -2.5);   // Σx² / Σ(x − y)² = 1/2 for independent equal-level noise
        Assert.True(other.LsdDb > noisy.LsdDb + 3, $"unrelated {other.LsdDb} dB against noisy {noisy.LsdDb} dB");
    }

    /// <summary>A decaying noise burst; with depth > 0 its envelope dips at the same place in every <c>hop</c>-sample
    /// frame, as a decoder's grid makes it.</summary>
    static float[] Burst(int seed, double depth, int hop = 2048, int offset = 0)
    {
        var random = new Random(seed);
        var x = new float[Length];
        for (int t = 0; t < Length; t++)
        {
            double time = (double)t / Rate, phase = (double)((t + offset) % hop) / hop;
            double dip = 1 - depth * Math.Exp(-Math.Pow((phase - 0.5) / 0.05, 2));
            x[t] = (float)(0.5 * Math.Exp(-3 * time) * dip * (random.NextDouble() * 2 - 1));
        }
        return x;
    }

    [Fact]
    public void A_ripple_locked_to_the_frames_is_seen_and_one_that_drifts_is_not()
    {
        var originals = Enumerable.Range(0, 8).Select(i => Burst(i, 0)).ToArray();
        var gridded = Enumerable.Range(0, 8).Select(i => Burst(100 + i, 0.5)).ToArray();
        var result = FrameGridRipple.Score(originals, gridded, Rate, 2048)!;
        Assert.Equal(8, result.Clips);
        Assert.Equal(1, result.ShareAbove);
        Assert.True(result.CandidatesDb > 0.5 && result.OriginalsDb < 0.3,
            $"gridded {result.CandidatesDb} dB against originals {result.OriginalsDb} dB");

        // The same dip at the same rate but a different place in each clip: each clip ripples, their average does not.
        var drifting = Enumerable.Range(0, 8).Select(i => Burst(200 + i, 0.5, offset: i * 256)).ToArray();
        var off = FrameGridRipple.Score(originals, drifting, Rate, 2048)!;
        Assert.True(off.CandidatesDb < 0.3 * result.CandidatesDb,
            $"drifting dips averaged {off.CandidatesDb} dB against locked {result.CandidatesDb} dB");
        Assert.True(off.ClipCandidatesMedianDb > 2 * off.ClipOriginalsMedianDb,
            "each drifting clip still ripples on its own");
    }

    [Fact]
    public void Clips_without_a_high_band_or_too_short_are_left_out()
    {
        var lowSine = Enumerable.Range(0, Length).Select(t =>
            (float)(0.5 * Math.Exp(-3.0 * t / Rate) * Math.Sin(2 * Math.PI * 80 * t / Rate))).ToArray();
        Assert.Null(FrameGridRipple.Folded(lowSine, Rate, 2048));
        var click = new float[Length];
        for (int t = 0; t < 3000; t++) click[t] = (float)(0.5 * Math.Sin(t * 1.3));
        Assert.Null(FrameGridRipple.Folded(click, Rate, 2048));
        Assert.Null(FrameGridRipple.Score([lowSine], [Burst(1, 0.5)], Rate, 2048));
    }
}
