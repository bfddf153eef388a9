namespace Oneshot.Audio;

/// <summary>Turns a decoded mono sound into a one-shot clip: trimmed, normalised, fixed length.</summary>
public static class ClipShaping
{
    /// <summary>
    /// Index of the first sample louder than <paramref name="thresholdDb"/> relative to the peak,
    /// moved back by <paramref name="prerollSamples"/> so the very start of the attack is kept.
    /// Returns 0 for a silent signal.
    /// </summary>
    public static int LeadingSilence(ReadOnlySpan<float> x, double thresholdDb, int prerollSamples)
    {
        float peak = 0;
        foreach (float v in x) peak = Math.Max(peak, Math.Abs(v));
        if (peak == 0) return 0;
        double threshold = peak * Loudness.DbToAmplitude(thresholdDb);
        for (int i = 0; i < x.Length; i++)
            if (Math.Abs(x[i]) > threshold) return Math.Max(0, i - prerollSamples);
        return 0;
    }

    /// <summary>
    /// Exactly <paramref name="length"/> samples from <paramref name="start"/>: cropped or zero-padded.
    /// The last <paramref name="fadeSamples"/> of the kept material fade out (half cosine), so a
    /// crop never ends in a click and a padded sound never steps into the silence.
    /// </summary>
    public static float[] FixedLength(ReadOnlySpan<float> x, int start, int length, int fadeSamples)
    {
        var clip = new float[length];
        int kept = Math.Clamp(x.Length - start, 0, length);
        x.Slice(start, kept).CopyTo(clip);
        int fade = Math.Min(fadeSamples, kept);
        for (int i = 0; i < fade; i++)
        {
            int index = kept - fade + i;
            double gain = 0.5 * (1 + Math.Cos(Math.PI * (i + 1) / (fade + 1)));
            clip[index] = (float)(clip[index] * gain);
        }
        return clip;
    }

    public static void ApplyGain(float[] x, double gainDb)
    {
        float gain = (float)Loudness.DbToAmplitude(gainDb);
        for (int i = 0; i < x.Length; i++) x[i] *= gain;
    }
}
