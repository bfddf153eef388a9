using Oneshot.Evaluation;

namespace Oneshot.Tests.Evaluation;

public class PartialsKeptTests
{
    const int Rate = 44100, Length = 65536;

    /// <summary>A struck sound: partials at the given frequencies, each decaying, with a little noise in the
    /// attack.</summary>
    static float[] Struck(double[] partials, int seed = 1, double detuneCents = 0)
    {
        var random = new Random(seed);
        var x = new float[Length];
        double factor = Math.Pow(2, detuneCents / 1200);
        for (int t = 0; t < Length; t++)
        {
            double time = (double)t / Rate, sum = 0;
            for (int p = 0; p < partials.Length; p++)
                sum += Math.Sin(2 * Math.PI * partials[p] * factor * time) * Math.Exp(-time * (2 + p)) / (1 + p);
            double click = time < 0.005 ? 0.3 * (random.NextDouble() * 2 - 1) : 0;
            x[t] = (float)(0.4 * sum + click);
        }
        return x;
    }

    /// <summary>Noise with the struck sound's loudness envelope: the "smooth band" a blurring decoder makes.</summary>
    static float[] NoiseLike(float[] clip, int seed)
    {
        var random = new Random(seed);
        var y = new float[clip.Length];
        double level = 0;
        for (int t = 0; t < clip.Length; t++)
        {
            level = Math.Max(Math.Abs(clip[t]), level * 0.999);
            y[t] = (float)(level * (random.NextDouble() * 2 - 1));
        }
        return y;
    }

    static readonly double[] Bell = [220, 563, 1107, 1840];

    [Fact]
    public void The_partials_of_a_struck_tone_are_found_where_they_are()
    {
        var peaks = PartialsKept.Peaks(Struck(Bell), Rate);
        foreach (double f in Bell)
            Assert.Contains(peaks, p => Math.Abs(1200 * Math.Log2(p / f)) < 5);
        Assert.True(peaks.Count <= Bell.Length + 2, $"found {string.Join(", ", peaks.Select(p => p.ToString("0")))}");
        Assert.Empty(PartialsKept.Peaks(new float[Length], Rate));
    }

    [Fact]
    public void A_copy_keeps_every_partial_a_noise_band_none_and_a_quarter_tone_is_the_line()
    {
        var bell = Struck(Bell);
        float[][] originals = [bell];
        int[] pitched = PartialsKept.Pitched(originals, Rate);
        Assert.Equal([0], pitched);
        Assert.Equal(1.0, PartialsKept.Score(originals, [Struck(Bell, seed: 2)], Rate, pitched).Share);
        Assert.Equal(1.0, PartialsKept.Score(originals, [Struck(Bell, detuneCents: 20)], Rate, pitched).Share);
        Assert.Equal(0.0, PartialsKept.Score(originals, [Struck(Bell, detuneCents: 100)], Rate, pitched).Share);
        Assert.True(PartialsKept.Score(originals, [NoiseLike(bell, 3)], Rate, pitched).Share <= 0.25);
    }

    [Fact]
    public void Only_pitched_clips_are_scored()
    {
        var noise = NoiseLike(Struck(Bell), 4);
        float[][] originals = [noise, Struck(Bell)];
        Assert.Equal([1], PartialsKept.Pitched(originals, Rate));
        var none = PartialsKept.Score([noise], [noise], Rate, PartialsKept.Pitched([noise], Rate));
        Assert.Equal(0, none.PitchedClips);
        Assert.Null(none.Share);
    }
}
