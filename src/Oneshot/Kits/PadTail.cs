namespace Oneshot.Kits;

/// <summary>
/// A pad's silent tail cut off: a decoded one-shot lasts the model's whole clip (1.49 s at 44.1 kHz)
/// even when a kick is inaudible after a quarter of a second, and a sampler that retunes it down or
/// a DAW that shows it as a region carries the silence along.
/// </summary>
public static class PadTail
{
    /// <summary>Where the tail starts: 60 dB under the pad's own peak.</summary>
    public const double BelowPeakDb = 60;
    /// <summary>What is kept past that point, fading to zero, so the cut is never heard as a click (a pad that never
    /// falls silent fades over its last 10 ms too).</summary>
    public const double FadeSeconds = 0.01;

    public static float[] Trimmed(float[] audio, int sampleRate)
    {
        float peak = 0;
        foreach (float v in audio) peak = Math.Max(peak, Math.Abs(v));
        if (peak == 0) return audio;
        float threshold = peak * (float)Math.Pow(10, -BelowPeakDb / 20);
        int last = Array.FindLastIndex(audio, v => Math.Abs(v) >= threshold);
        int fade = Math.Max(1, (int)Math.Round(FadeSeconds * sampleRate));
        int length = Math.Min(audio.Length, last + 1 + fade);
        var trimmed = audio[..length];
        for (int i = Math.Max(0, fade - length); i < fade; i++)
            // raised cosine down to 0 at the last sample
            trimmed[length - fade + i] *= 0.5f * (1 + MathF.Cos(MathF.PI * (i + 1) / fade));
        return trimmed;
    }
}
