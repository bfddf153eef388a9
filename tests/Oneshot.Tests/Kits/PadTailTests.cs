using Oneshot.Kits;

namespace Oneshot.Tests.Kits;

public class PadTailTests
{
    const int Rate = 44100;

    [Fact]
    public void A_decaying_hit_loses_its_silent_tail_and_a_ringing_one_keeps_its_length_both_fading_to_zero()
    {
        // e^(−40t): 60 dB down (a factor of 1,000) at t = ln(1000)/40 ≈ 0.173 s.
        var hit = Enumerable.Range(0, 65536)
            .Select(t => (float)(0.9 * Math.Exp(-40.0 * t / Rate) * Math.Sin(2 * Math.PI * 60 * t / Rate + 0.3)))
            .ToArray();
        var trimmed = PadTail.Trimmed(hit, Rate);
        double seconds = (double)trimmed.Length / Rate;
        Assert.InRange(seconds, 0.15, Math.Log(1000) / 40 + PadTail.FadeSeconds + 0.001);
        Assert.Equal(0f, trimmed[^1], 6);
        int fade = (int)(PadTail.FadeSeconds * Rate);
        for (int t = 0; t < trimmed.Length - fade; t++) Assert.Equal(hit[t], trimmed[t]);   // untouched before the fade

        var ringing = Enumerable.Range(0, 65536).Select(t => (float)(0.5 * Math.Sin(2 * Math.PI * 440 * t / Rate)))
            .ToArray();
        var kept = PadTail.Trimmed(ringing, Rate);
        Assert.Equal(ringing.Length, kept.Length);
        Assert.Equal(0f, kept[^1], 6);
        Assert.Equal(ringing[1000], kept[1000]);
        var silence = new float[100];
        Assert.Same(silence, PadTail.Trimmed(silence, Rate));
        var blip = PadTail.Trimmed([0.5f, 0.5f, 0.5f], Rate);   // shorter than the fade: faded all the same
        Assert.Equal(0f, blip[^1], 6);
    }
}
