namespace Oneshot.Audio;

/// <summary>
/// The one rule for how loud a sound leaves Oneshot, whatever route it takes (decode, reconstruct,
/// sample, quickstart, a kit's pads, the instrument page): a sound that peaks above the ceiling is
/// turned down as a whole to peak there, so its shape is kept and nothing is clipped; a quieter
/// sound is left as it is. A model's output can overshoot full scale far from its training latents.
/// </summary>
public static class OutputLevel
{
    /// <summary>−0.1 dBFS: a little headroom under full scale.</summary>
    public const float Ceiling = 0.98855f;

    /// <summary>The sound at most at the ceiling, and the gain in dB applied to get there (0 when none).</summary>
    public static (float[] Audio, double GainDb) Fit(ReadOnlySpan<float> audio)
    {
        // A sample that is not a number would hide the peak and reach a WAV writer that clips it: silence it.
        var fitted = audio.ToArray();
        float peak = 0;
        for (int i = 0; i < fitted.Length; i++)
        {
            if (!float.IsFinite(fitted[i])) fitted[i] = 0;
            peak = Math.Max(peak, Math.Abs(fitted[i]));
        }
        if (peak <= Ceiling) return (fitted, 0);
        float scale = Ceiling / peak;
        for (int i = 0; i < fitted.Length; i++) fitted[i] *= scale;
        return (fitted, 20 * Math.Log10(scale));
    }

    /// <summary>The sound at most at the ceiling (<see cref="Fit"/> without the gain).</summary>
    public static float[] Fitted(ReadOnlySpan<float> audio) => Fit(audio).Audio;
}
