using Oneshot.Audio;

namespace Oneshot.Tests.Audio;

public class LoudnessTests
{
    [Fact]
    public void Full_scale_sine_at_997_Hz_is_minus_3_LUFS()
    {
        // BS.1770: a 0 dBFS 997 Hz sine in one channel reads −3.01 LKFS.
        var tone = Signals.Sine(997, 48000, 48000 * 5, amplitude: 1.0);
        Assert.Equal(-3.01, Loudness.IntegratedLufs(tone, 48000), 2);
    }

    [Theory]
    [InlineData(48000)]
    [InlineData(44100)]
    public void Ebu_stereo_reference_tone_is_minus_23_LUFS(int rate)
    {
        // EBU Tech 3341 case 1: 1 kHz sine at −23 dBFS in both channels of a stereo signal.
        var tone = Signals.Sine(1000, rate, rate * 20, amplitude: Loudness.DbToAmplitude(-23));
        Assert.Equal(-23.0, Loudness.IntegratedLufs([tone, tone], rate), 1);
    }

    [Fact]
    public void Filter_coefficients_match_the_standard_at_48_kHz()
    {
        var (shelfB, shelfA) = Loudness.ShelfCoefficients(48000);
        Assert.Equal(1.53512485958697, shelfB[0], 9);
        Assert.Equal(-2.69169618940638, shelfB[1], 9);
        Assert.Equal(1.19839281085285, shelfB[2], 9);
        Assert.Equal(-1.69065929318241, shelfA[1], 9);
        Assert.Equal(0.73248077421585, shelfA[2], 9);
        var (_, highpassA) = Loudness.HighpassCoefficients(48000);
        Assert.Equal(-1.99004745483398, highpassA[1], 8);
        Assert.Equal(0.99007225036621, highpassA[2], 8);
    }

    [Fact]
    public void Silence_is_gated_out()
    {
        var tone = Signals.Sine(1000, 48000, 48000 * 3, amplitude: 0.25);
        var withSilence = tone.Concat(new float[48000 * 3]).ToArray();
        // Ungated, the silence would lower the mean power by 3 dB; gated, only the blocks that
        // straddle the end of the tone count, a few tenths of a dB.
        double difference = Loudness.IntegratedLufs(tone, 48000) - Loudness.IntegratedLufs(withSilence, 48000);
        Assert.InRange(difference, 0, 0.3);
        Assert.Equal(double.NegativeInfinity, Loudness.IntegratedLufs(new float[48000], 48000));
    }

    [Fact]
    public void Peak_is_in_decibels_full_scale()
    {
        Assert.Equal(-6.02, Loudness.PeakDb([0.1f, -0.5f, 0.2f]), 2);
        Assert.Equal(double.NegativeInfinity, Loudness.PeakDb([0f, 0f]));
    }
}
