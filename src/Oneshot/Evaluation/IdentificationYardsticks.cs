using Oneshot.Audio;

namespace Oneshot.Evaluation;

/// <summary>How often the test clips themselves, degraded in one known way, are identified, and how many of their
/// partials they keep.</summary>
public sealed record IdentificationYardstick(string Degradation, IdentificationResult Identification,
    PartialsResult? Partials = null,
                                             double? LsdDb = null, double? SnrDb = null);

/// <summary>
/// The scale a model's identification reads against: the real test clips low-passed or buried in
/// white noise, identified among the originals exactly as reconstructions are. "Identified as often
/// as the originals low-passed at 2 kHz" says more to a listener than a bare percentage.
/// </summary>
public static class IdentificationYardsticks
{
    // One table, so a name and what it does cannot drift apart. Arguments: clip, sample rate, noise seed.
    static readonly (string Name, Func<float[], int, int, float[]> Apply)[] Degradations =
    [
        ("low-pass 4 kHz", (clip, rate, _) => LowPass(clip, rate, 4000)),
        ("low-pass 2 kHz", (clip, rate, _) => LowPass(clip, rate, 2000)),
        ("low-pass 1 kHz", (clip, rate, _) => LowPass(clip, rate, 1000)),
        ("white noise −30 dBFS", (clip, _, seed) => WithNoise(clip, -30, seed)),
        ("white noise −20 dBFS", (clip, _, seed) => WithNoise(clip, -20, seed)),
    ];

    public static readonly IReadOnlyList<string> Names = Degradations.Select(d => d.Name).ToArray();

    /// <param name="pitched">The pitched clips (<see cref="PartialsKept.Pitched"/>): with them, each degradation's
    /// partials kept too.</param>
    public static IReadOnlyList<IdentificationYardstick> Measure(IReadOnlyList<float[]> clips, int sampleRate,
        EmbeddingMatrix originals, int seed, ClipLabels? labels = null, Action<int>? onClipsDone = null,
        IReadOnlyList<int>? pitched = null)
    {
        var results = new List<IdentificationYardstick>();
        foreach (var (name, apply) in Degradations)
        {
            var degraded = clips.Select((clip, i) => apply(clip, sampleRate, seed + i)).ToArray();
            var scores = ReconstructionScores.Spectra(clips, degraded, sampleRate);
            results.Add(
                new IdentificationYardstick(name,
                Identification.Score(originals, IdentificationSpectrogram.Of(degraded, sampleRate), labels),
                pitched is null ? null : PartialsKept.Score(clips, degraded, sampleRate, pitched), scores.LsdDb,
                    scores.SnrDb));
            onClipsDone?.Invoke(clips.Count);
        }
        return results;
    }

    public static float[] Degrade(string name, float[] clip, int sampleRate, int seed) =>
        Degradations.FirstOrDefault(d => d.Name == name).Apply is { } apply
            ? apply(clip, sampleRate, seed)
            : throw new ArgumentException($"unknown degradation '{name}'", nameof(name));

    // Two Butterworth sections in cascade: −24 dB per octave, steep enough that "what is above the
    // cutoff is gone" is what the yardstick means.
    static float[] LowPass(float[] clip, int sampleRate, double cutoffHz)
    {
        var x = Array.ConvertAll(clip, v => (double)v);
        var (b, a) = Biquad.LowpassCoefficients(sampleRate, Math.Min(cutoffHz, 0.45 * sampleRate));
        Biquad.Apply(x, b, a);
        Biquad.Apply(x, b, a);
        return Array.ConvertAll(x, v => (float)v);
    }

    /// <summary>Gaussian white noise of the given RMS level in dB re full scale, over the whole clip (its silent tail
    /// too).</summary>
    static float[] WithNoise(float[] clip, double rmsDb, int seed)
    {
        var random = new Random(seed);
        double amplitude = Loudness.DbToAmplitude(rmsDb);
        var y = new float[clip.Length];
        for (int i = 0; i < clip.Length; i++)
        {
            double gaussian =
                Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            y[i] = (float)(clip[i] + amplitude * gaussian);
        }
        return y;
    }
}
