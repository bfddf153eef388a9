namespace Oneshot.Audio;

/// <summary>Retuning as a sampler does it: the clip played faster or slower.</summary>
public static class Retuning
{
    /// <summary>
    /// Plays the clip faster (up) or slower (down) by 2^(semitones/12): pitch and length change
    /// together. Kept at the clip's length; a tail cut short fades out over 10 ms.
    /// </summary>
    public static float[] Retune(ReadOnlySpan<float> clip, int sampleRate, double semitones, ResamplingKernel kernel)
    {
        int playedAt = (int)Math.Round(sampleRate / Math.Pow(2, semitones / 12));
        var retuned = Resampler.Resample(clip, sampleRate, playedAt, kernel);
        var output = new float[clip.Length];
        int kept = Math.Min(retuned.Length, output.Length);
        retuned.AsSpan(0, kept).CopyTo(output);
        if (retuned.Length > output.Length)
        {
            int fade = Math.Min(kept, sampleRate / 100);
            for (int i = 0; i < fade; i++) output[kept - 1 - i] *= (float)i / fade;
        }
        return output;
    }
}
