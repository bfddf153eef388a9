using Oneshot.Audio;

namespace Oneshot.Tests.Audio;

public class ClipShapingTests
{
    [Fact]
    public void Leading_silence_stops_just_before_the_attack()
    {
        var x = new float[1000].Concat(Signals.Sine(500, 44100, 4410)).ToArray();
        x[200] = 1e-5f;   // a tiny click far below −50 dB of the peak stays "silence"
        int start = ClipShaping.LeadingSilence(x, -50, prerollSamples: 44);
        Assert.InRange(start, 1000 - 44, 1000 - 40);
        Assert.Equal(0, ClipShaping.LeadingSilence(new float[100], -50, 10));
    }

    [Fact]
    public void Short_sounds_are_padded_with_a_fade_into_silence()
    {
        var x = Enumerable.Repeat(0.5f, 1000).ToArray();
        var clip = ClipShaping.FixedLength(x, 100, 4096, fadeSamples: 100);
        Assert.Equal(4096, clip.Length);
        Assert.Equal(0.5f, clip[0]);
        Assert.Equal(0.5f, clip[799]);
        Assert.True(clip[899] < 0.01f && clip[899] > 0, "the last kept sample fades out");
        Assert.True(clip[850] < clip[820], "the fade falls monotonically");
        Assert.All(clip.Skip(900), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Long_sounds_are_cropped_with_a_fade()
    {
        var x = Enumerable.Repeat(0.5f, 10000).ToArray();
        var clip = ClipShaping.FixedLength(x, 0, 4096, fadeSamples: 64);
        Assert.Equal(4096, clip.Length);
        Assert.Equal(0.5f, clip[4096 - 65]);
        Assert.True(Math.Abs(clip[^1]) < 0.001f);
    }

    [Fact]
    public void Gain_is_in_decibels()
    {
        var x = new float[] { 0.5f, -0.25f };
        ClipShaping.ApplyGain(x, 6.0206);
        Assert.Equal(1f, x[0], 4);
        Assert.Equal(-0.5f, x[1], 4);
    }
}
