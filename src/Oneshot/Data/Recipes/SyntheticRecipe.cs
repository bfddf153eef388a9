using System.Text.Json;
using Oneshot.Audio;

namespace Oneshot.Data.Recipes;

/// <summary>
/// Drum-like and tonal one-shots made by small synthesis recipes with random parameters; needs
/// nothing installed. Sounds come in "kits" of one sound per kind (the groups), and each kit has
/// its own character (tuning, brightness, decay), so a held-out kit is new but familiar.
/// </summary>
public static class SyntheticRecipe
{
    public static readonly string[] Kinds = ["kick", "snare", "hihat", "tom", "clap", "pluck", "bell", "sweep"];

    public static List<ClipSource> Sources(int count, int sampleRate, int clipLength, int seed)
    {
        if (count < 1) throw new OneshotException($"--count {count} must be at least 1.");
        var sources = new List<ClipSource>();
        int kits = (count + Kinds.Length - 1) / Kinds.Length;
        for (int kit = 0; kit < kits; kit++)
        {
            for (int k = 0; k < Kinds.Length && sources.Count < count; k++)
            {
                string kind = Kinds[k];
                int soundSeed = Mix(seed, kit, k + 1);
                int kitSeed = Mix(seed, kit, 0);
                string group = $"kit-{kit:D3}";
                var character = KitCharacter.Draw(new Random(kitSeed));
                var labels = new SortedDictionary<string, JsonElement>
                {
                    ["class"] = DatasetFormat.Label(kind),
                    ["kit"] = DatasetFormat.Label(group),
                    // The kit's generating factors, so disentanglement can be scored where the truth is known.
                    [DatasetFormat.FactorPrefix + "kind"] = DatasetFormat.Label(kind),
                    [DatasetFormat.FactorPrefix + "tuning_semitones"] =
                        DatasetFormat.Label(Math.Round(12 * Math.Log2(character.Tuning), 6)),
                    [DatasetFormat.FactorPrefix + "brightness"] =
                        DatasetFormat.Label(Math.Round(character.Brightness, 6)),
                    [DatasetFormat.FactorPrefix + "decay_octaves"] =
                        DatasetFormat.Label(Math.Round(Math.Log2(character.DecayScale), 6)),
                };
                sources.Add(new ClipSource($"synthetic/{group}/{kind}", group, labels,
                    () =>
                        AudioData.Mono(sampleRate,
                        Generate(kind, sampleRate, clipLength, new Random(kitSeed), new Random(soundSeed)))));
            }
        }
        return sources;
    }

    /// <summary>One sound; <paramref name="kit"/> draws the kit's character, <paramref name="random"/> the sound's own
    /// details.</summary>
    public static float[] Generate(string kind, int sampleRate, int length, Random kit, Random random)
    {
        var (tuning, brightness, decayScale) = KitCharacter.Draw(kit);
        var x = new double[length];
        double dt = 1.0 / sampleRate;
        switch (kind)
        {
            case "kick":
            case "tom":
            {
                bool kick = kind == "kick";
                double start = (kick ? Uniform(random, 120, 260) : Uniform(random, 180, 400)) * tuning;
                double end = (kick ? Uniform(random, 40, 60) : Uniform(random, 80, 200)) * tuning;
                double sweepTime = kick ? Uniform(random, 0.015, 0.06) : Uniform(random, 0.03, 0.12);
                double decay = (kick ? Uniform(random, 0.15, 0.45) : Uniform(random, 0.2, 0.6)) * decayScale;
                double phase = 0;
                for (int i = 0; i < length; i++)
                {
                    double t = i * dt;
                    double f = end + (start - end) * Math.Exp(-t / sweepTime);
                    phase += 2 * Math.PI * f * dt;
                    double click = t < 0.003 ? (random.NextDouble() * 2 - 1) * brightness * (1 - t / 0.003) : 0;
                    x[i] = Math.Sin(phase) * Math.Exp(-t / decay) + 0.5 * click;
                }
                break;
            }
            case "snare":
            case "clap":
            {
                bool snare = kind == "snare";
                double tone = Uniform(random, 160, 260) * tuning;
                double noiseDecay = (snare ? Uniform(random, 0.08, 0.25) : Uniform(random, 0.1, 0.3)) * decayScale;
                int bursts = snare ? 1 : random.Next(3, 6);
                double spacing = Uniform(random, 0.008, 0.014);
                var noise = Filtered(WhiteNoise(length, random), sampleRate, lowHz: snare ? 300 : 700,
                    highHz: 2000 + 8000 * brightness);
                for (int i = 0; i < length; i++)
                {
                    double t = i * dt;
                    double envelope = 0;
                    for (int b = 0; b < bursts; b++)
                    {
                        double tb = t - b * spacing;
                        if (tb < 0) continue;
                        double burstDecay = b == bursts - 1 ? noiseDecay : 0.006;
                        envelope = Math.Max(envelope, Math.Exp(-tb / burstDecay));
                    }
                    double body = snare ? 0.6 * Math.Sin(2 * Math.PI * tone * t) * Math.Exp(-t / 0.05) : 0;
                    x[i] = noise[i] * envelope + body;
                }
                break;
            }
            case "hihat":
            {
                // Six square waves at inharmonic ratios, high-passed: a metallic, noisy spectrum.
                double[] ratios = [2, 3, 4.16, 5.43, 6.79, 8.21];
                double fundamental = Uniform(random, 300, 420) * tuning;
                double decay = (random.NextDouble() < 0.5 ? Uniform(random, 0.03, 0.08)
                    : Uniform(random, 0.2, 0.6)) * decayScale;
                var raw = new double[length];
                for (int i = 0; i < length; i++)
                {
                    double t = i * dt, sum = 0;
                    foreach (double r in ratios) sum += Math.Sign(Math.Sin(2 * Math.PI * fundamental * r * t));
                    raw[i] = sum / ratios.Length + 0.5 * (random.NextDouble() * 2 - 1);
                }
                var metal = Filtered(raw, sampleRate, lowHz: 6000 + 2000 * brightness, highHz: sampleRate * 0.45);
                for (int i = 0; i < length; i++) x[i] = metal[i] * Math.Exp(-i * dt / decay);
                break;
            }
            case "pluck":
            {
                // Karplus–Strong: a noise burst in a delay line with a damping average.
                double f0 = 440 * Math.Pow(2, (random.Next(40, 80) - 69) / 12.0) * tuning;
                int period = Math.Max(2, (int)Math.Round(sampleRate / f0));
                var line = new double[period];
                for (int i = 0; i < period; i++) line[i] = random.NextDouble() * 2 - 1;
                double damping = 0.5 * (0.990 + 0.0095 * brightness);
                for (int i = 0; i < length; i++)
                {
                    int p = i % period;
                    x[i] = line[p];
                    line[p] = damping * (line[p] + line[(p + 1) % period]);
                }
                break;
            }
            case "bell":
            {
                double f0 = Uniform(random, 200, 1200) * tuning;
                double[] ratios = [1, 2.76, 5.40, 8.93, 13.34];
                double decay = Uniform(random, 0.4, 1.2) * decayScale;
                for (int i = 0; i < length; i++)
                {
                    double t = i * dt, sum = 0;
                    for (int p = 0; p < ratios.Length; p++)
                    {
                        if (f0 * ratios[p] > sampleRate * 0.45) break;
                        sum += Math.Pow(brightness, p) * Math.Sin(2 * Math.PI * f0 * ratios[p] * t) * Math.Exp(
                            -t * (1 + p) / decay);
                    }
                    x[i] = sum * Math.Min(1, t / 0.002);
                }
                break;
            }
            case "sweep":
            {
                // Noise through a resonant band-pass whose centre glides up (riser) or down (fall).
                bool rise = random.NextDouble() < 0.5;
                double from = rise ? Uniform(random, 200, 800) : Uniform(random, 3000, 9000);
                double to = rise ? Uniform(random, 3000, 9000) : Uniform(random, 200, 800);
                double duration = length * dt;
                double q = Uniform(random, 2, 8);
                double low = 0, band = 0;
                for (int i = 0; i < length; i++)
                {
                    double t = i * dt;
                    double centre = from * Math.Pow(to / from, t / duration);
                    // state-variable filter
                    double f = 2 * Math.Sin(Math.PI * Math.Min(centre, sampleRate / 6.0) / sampleRate);
                    double input = random.NextDouble() * 2 - 1;
                    low += f * band;
                    double high = input - low - band / q;
                    band += f * high;
                    double envelope = rise ? Math.Pow(t / duration, 1.5) : Math.Exp(-t / (0.4 * decayScale));
                    x[i] = band * envelope * Math.Min(1, (duration - t) / 0.02);
                }
                break;
            }
            default:
                throw new OneshotException($"Unknown synthetic sound kind '{kind}'; known: " +
                    $"{string.Join(", ", Kinds)}.");
        }
        double peak = x.Max(Math.Abs);
        var result = new float[length];
        for (int i = 0; i < length; i++) result[i] = peak > 0 ? (float)(0.9 * x[i] / peak) : 0f;
        return result;
    }

    // HashCode.Combine is randomised per process; seeds must repeat across runs.
    static int Mix(int a, int b, int c)
    {
        unchecked
        {
            uint h = 2166136261;
            foreach (int v in new[] { a, b, c }) h = (h ^ (uint)v) * 16777619;
            return (int)(h & 0x7fffffff);
        }
    }

    /// <summary>What a kit shares: a tuning (± half an octave), a brightness (0.3–1) and a decay scale
    /// (½–2×).</summary>
    sealed record KitCharacter(double Tuning, double Brightness, double DecayScale)
    {
        public static KitCharacter Draw(Random kit) =>
            new(Math.Pow(2, Uniform(kit, -0.5, 0.5)), Uniform(kit, 0.3, 1.0), Math.Pow(2, Uniform(kit, -1, 1)));
    }

    static double Uniform(Random random, double low, double high) => low + (high - low) * random.NextDouble();

    static double[] WhiteNoise(int length, Random random)
    {
        var noise = new double[length];
        for (int i = 0; i < length; i++) noise[i] = random.NextDouble() * 2 - 1;
        return noise;
    }

    /// <summary>One-pole high-pass then one-pole low-pass: a gentle band-pass.</summary>
    static double[] Filtered(double[] x, int sampleRate, double lowHz, double highHz)
    {
        double hp = Math.Exp(-2 * Math.PI * lowHz / sampleRate);
        double lp = Math.Exp(-2 * Math.PI * Math.Min(highHz, sampleRate * 0.45) / sampleRate);
        var y = new double[x.Length];
        double previousIn = 0, previousHigh = 0, low = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double high = hp * (previousHigh + x[i] - previousIn);
            previousIn = x[i];
            previousHigh = high;
            low = (1 - lp) * high + lp * low;
            y[i] = low;
        }
        return y;
    }
}
