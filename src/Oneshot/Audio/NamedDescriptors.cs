namespace Oneshot.Audio;

/// <summary>
/// A descriptor as a musician names it, on the scale where a latent moves it evenly: log2 of the
/// centroid, log10 of flatness, attack and decay, semitones (MIDI numbers) for pitch, LUFS for level.
/// </summary>
/// <param name="Name">brightness, noisiness, attack, decay, pitch, level.</param>
/// <param name="Descriptor">Its field in meta.jsonl.</param>
/// <param name="Scale">log2, log10, midi or linear.</param>
/// <param name="Unit">The unit of <see cref="ToUnit"/>.</param>
/// <param name="Read">The value from a clip's descriptors, or null when it has none (pitch of an unpitched clip, level
/// of silence).</param>
/// <param name="ToScale">From the descriptor's own unit to the scale.</param>
/// <param name="ToUnit">From the scale to <see cref="Unit"/> (attack and decay in ms).</param>
/// <param name="JustNoticeable">The smallest change on the scale a listener notices.</param>
/// <param name="Resolution">The smallest change in <see cref="Unit"/> the measurement resolves (attack and decay: more
/// than one step of the envelope's 1 ms hop).</param>
public sealed record NamedDescriptor(string Name, string Descriptor, string Scale, string Unit, Func<ClipDescriptors,
    double?> Read,
                                     Func<double, double> ToScale, Func<double, double> ToUnit, double JustNoticeable,
                                         double Resolution = 0)
{
    /// <summary>Whether values spread from <paramref name="low"/> to <paramref name="high"/> on the scale differ
    /// audibly and measurably.</summary>
    public bool Noticeable(double low, double high) =>
        Math.Abs(high - low) > JustNoticeable && Math.Abs(ToUnit(high) - ToUnit(low)) > Resolution;

    /// <summary>The value on the scale, or null.</summary>
    public double? Scaled(ClipDescriptors descriptors) =>
        Read(descriptors) is double value && double.IsFinite(value) ? ToScale(value) : null;

    /// <summary>
    /// The six, in the order the instrument shows them. Just-noticeable differences, rounded from the
    /// psychoacoustics literature: about 5 % in centroid and flatness, 10 % in attack and decay
    /// times, 10 cents in pitch, half a loudness unit. Flatness below 10⁻⁶ (a pure tone's) counts as
    /// 10⁻⁶: differences down there are not heard.
    /// </summary>
    public static readonly IReadOnlyList<NamedDescriptor> All =
    [
        new("brightness", "spectral_centroid_hz", "log2", "Hz", d => d.SpectralCentroidHz,
            v => Math.Log2(Math.Max(v, 1)), v => Math.Pow(2, v), 0.07),
        new("noisiness", "spectral_flatness", "log10", "flatness", d => d.SpectralFlatness,
            v => Math.Log10(Math.Max(v, 1e-6)), v => Math.Min(1, Math.Pow(10, v)), 0.02),
        new("attack", "attack_seconds", "log10", "ms", d => d.AttackSeconds,
            v => Math.Log10(Math.Max(v, 1e-4)), v => 1000 * Math.Pow(10, v), 0.04, Resolution: 1.5),
        new("decay", "decay_seconds", "log10", "ms", d => d.DecaySeconds,
            v => Math.Log10(Math.Max(v, 1e-3)), v => 1000 * Math.Pow(10, v), 0.04, Resolution: 1.5),
        new("pitch", "f0_hz", "midi", "Hz", d => d.F0Confidence >= Descriptors.PitchedConfidence
            && d.F0Hz > 0 ? d.F0Hz : null,
            v => 12 * Math.Log2(v / 440) + 69, v => 440 * Math.Pow(2, (v - 69) / 12), 0.1),
        new("level", "loudness_lufs", "linear", "LUFS", d => d.LoudnessLufs > -120 ? d.LoudnessLufs : null,
            v => v, v => v, 0.5),
    ];
}
