using Oneshot.Audio;
using Oneshot.Model;
using Oneshot.Statistics;

namespace Oneshot.Evaluation;

/// <summary>What a player feels moving one named control across held-out sounds.</summary>
/// <param name="Clips">Held-out clips the control was moved on (pitch: pitched ones only).</param>
/// <param name="Rho">Mean over clips of Spearman's ρ between the control's position and its own descriptor in the sound
/// made: 1 when it does its job monotonically.</param>
/// <param name="Change">Median over clips of the descriptor's change from −2 to +2, in
/// <paramref name="ChangeUnit"/>.</param>
/// <param name="CrossTalk">The largest mean |ρ| with another descriptor (changes below a just-noticeable difference, or
/// below what the measure resolves, count as none).</param>
/// <param name="CrossTalkWith">Which descriptor that is.</param>
/// <param name="Strip">A PNG of the first clip's spectrograms at each position, relative to the report.</param>
public sealed record ControlTraversal(string Name, string Source, string Span, double? RSquaredValid, int Clips,
                                      double? Rho, double? Change, string ChangeUnit, double? CrossTalk,
                                          string? CrossTalkWith, string? Strip);

/// <summary>
/// Moves each named control of a model from −2 to +2 of its training spread on held-out latents,
/// decodes, and measures the descriptors of what comes out: does the control change its quality,
/// monotonically, by how much, and what else changes with it.
/// </summary>
public static class ControlTraversals
{
    public static readonly double[] Positions = [-2, -1, 0, 1, 2];

    /// <param name="decode">Latents to audio (the model's decoder).</param>
    /// <param name="latents">Held-out clips' latents.</param>
    /// <param name="pitched">Per clip, whether the original is pitched (pitch is only traversed on those).</param>
    /// <param name="centre">The training latents' mean, from which a control's position is measured.</param>
    /// <param name="writeStrip">Writes a control's strip of spectrograms; returns its path relative to the report
    /// (null: none written).</param>
    public static IReadOnlyList<ControlTraversal> Measure(IReadOnlyList<NamedControl> controls,
        IReadOnlyList<float[]> latents, IReadOnlyList<bool> pitched,
        double[] centre, int sampleRate, Func<IReadOnlyList<float[]>, float[][]> decode, Func<NamedControl,
            IReadOnlyList<float[]>, string?>? writeStrip = null)
    {
        var results = new List<ControlTraversal>();
        foreach (var control in controls)
        {
            var own = NamedDescriptor.All.First(d => d.Name == control.Name);
            var clips = Enumerable.Range(0, latents.Count).Where(i => own.Name != "pitch" || pitched[i]).ToList();
            if (clips.Count == 0) continue;
            var moved = clips.SelectMany(i => Positions.Select(p => At(latents[i], control, centre, p))).ToList();
            var audio = decode(moved);
            var measured = audio.Select(a => Descriptors.Compute(a, sampleRate)).ToList();
            // scaled[d][c][p]: descriptor d of clip c at position p (null when the sound has none).
            var scaled =
                NamedDescriptor.All.Select(d => clips.Select((_, c) =>
                Positions.Select((_, p) => d.Scaled(measured[c * Positions.Length + p])).ToArray()).ToList()).ToList();
            int ownIndex = NamedDescriptor.All.ToList().IndexOf(own);
            double? rho = MeanRho(scaled[ownIndex], null);
            double? crossTalk = null;
            string? crossTalkWith = null;
            for (int d = 0; d < NamedDescriptor.All.Count; d++)
            {
                if (d == ownIndex || MeanRho(scaled[d], NamedDescriptor.All[d]) is not double other) continue;
                if (crossTalk is null || Math.Abs(other) > crossTalk)
                    (crossTalk, crossTalkWith) = (Math.Abs(other), NamedDescriptor.All[d].Name);
            }
            var (change, unit) = Change(own, scaled[ownIndex]);
            string? strip = writeStrip?.Invoke(control, audio.Take(Positions.Length).ToList());
            results.Add(new ControlTraversal(control.Name, control.Source, control.Span(), control.RSquaredValid,
                clips.Count, rho, change, unit, crossTalk, crossTalkWith, strip));
        }
        return results;
    }

    /// <summary>The latent moved along the control so that its position is <paramref name="position"/> (as the
    /// instrument's slider does).</summary>
    public static float[] At(float[] z, NamedControl control, double[] centre, double position)
    {
        double current = 0;
        for (int d = 0; d < z.Length; d++) current += (z[d] - centre[d]) * control.Direction[d];
        double delta = position * control.Std - current;
        return [.. z.Select((v, d) => (float)(v + delta * control.Direction[d]))];
    }

    /// <summary>
    /// Mean Spearman ρ over clips with at least three measured positions. With <paramref name="noticed"/>
    /// (cross-talk), a clip whose values stay within a just-noticeable difference counts as ρ = 0.
    /// </summary>
    static double? MeanRho(IReadOnlyList<double?[]> clips, NamedDescriptor? noticed)
    {
        var values = new List<double>();
        foreach (var clip in clips)
        {
            var at = Enumerable.Range(0, clip.Length).Where(p => clip[p] is not null).ToArray();
            if (at.Length < 3) continue;
            var y = at.Select(p => clip[p]!.Value).ToArray();
            if (noticed is not null && !noticed.Noticeable(y.Min(), y.Max())) { values.Add(0); continue; }
            values.Add(Correlation.Spearman(at.Select(p => Positions[p]).ToArray(), y));
        }
        return values.Count > 0 ? values.Average() : null;
    }

    static (double? Change, string Unit) Change(NamedDescriptor own, IReadOnlyList<double?[]> clips)
    {
        bool semitones = own.Scale == "midi";
        var changes = clips.Where(c => c[0] is not null && c[^1] is not null)
            .Select(c => semitones ? c[^1]!.Value - c[0]!.Value : own.ToUnit(c[^1]!.Value) - own.ToUnit(c[0]!.Value))
            .Order().ToList();
        double? median = changes.Count == 0 ? null
            : changes.Count % 2 == 1 ? changes[changes.Count / 2]
                : (changes[changes.Count / 2 - 1] + changes[changes.Count / 2]) / 2;
        return (median, semitones ? "semitones" : own.Unit);
    }
}
