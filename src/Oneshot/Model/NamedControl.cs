using System.Globalization;

namespace Oneshot.Model;

/// <summary>
/// A latent direction named for what a musician hears (brightness, decay, …), stored in latent.json
/// beside the principal directions. Moving a latent by <see cref="Std"/> along <see cref="Direction"/>
/// changes the predicted descriptor by <see cref="Slope"/> (in the descriptor's fitted scale).
/// </summary>
/// <param name="Name">What the player reads: brightness, noisiness, attack, decay, pitch, level.</param>
/// <param name="Descriptor">The meta.jsonl descriptor it follows, e.g. spectral_centroid_hz.</param>
/// <param name="Scale">How the descriptor was fitted: log2, log10, midi (12·log2(f/440) + 69) or linear.</param>
/// <param name="Unit">The unit of <see cref="Low"/> and <see cref="High"/>.</param>
/// <param name="Source">"fitted": regressed on the encoder's latents after training; "trained": a dimension trained to
/// follow it.</param>
/// <param name="Direction">Unit vector in latent space.</param>
/// <param name="Std">Standard deviation of the training latents' coordinate along the direction: the slider's
/// unit.</param>
/// <param name="Slope">Change of the fitted descriptor per <see cref="Std"/>.</param>
/// <param name="Low">The descriptor predicted two <see cref="Std"/> below the training clips' mean, in
/// <see cref="Unit"/>, no lower than the lowest training clip's.</param>
/// <param name="High">The descriptor predicted two <see cref="Std"/> above it, no higher than the highest training
/// clip's.</param>
/// <param name="RSquaredTrain">Share of the descriptor's variance the latent predicts on the training clips.</param>
/// <param name="RSquaredValid">The same on the validation clips (null without enough of them): how far to trust the
/// name.</param>
/// <param name="Clips">Training clips the fit used (pitch: only clearly pitched ones).</param>
public sealed record NamedControl(
    string Name, string Descriptor, string Scale, string Unit, string Source,
    double[] Direction, double Std, double Slope, double Low, double High,
    double RSquaredTrain, double? RSquaredValid, int Clips)
{
    /// <summary>What the control spans, as a player reads it: "1.2–6.5 kHz", "3–40 ms", "flatness −38 to −6 dB", "−24
    /// to −12 LUFS".</summary>
    public string Span() => Unit switch
    {
        "LUFS" => F($"{Low:0.#} to {High:0.#} LUFS"),
        // Flatness spans decades (a tone's 10⁻⁵, white noise's 0.56): in dB it reads as it sounds.
        "flatness" =>
            F($"flatness {10 * Math.Log10(Math.Max(Low, 1e-6)):0} to {10 * Math.Log10(Math.Max(High, 1e-6)):0} dB"),
        "Hz" when Math.Max(Low, High) >= 1000 => F($"{Low / 1000:0.##}–{High / 1000:0.##} kHz"),
        _ => F($"{Low:0.#}–{High:0.#} {Unit}"),
    };

    static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
