using Oneshot.Evaluation;

namespace Oneshot.Tests.Evaluation;

public class IdentificationTests
{
    /// <summary>Six decaying "drums": two pitches, three decay times, the same onset.</summary>
    static float[][] Drums() =>
        [.. from pitch in new[] { 180.0, 900.0 }
            from decay in new[] { 1500.0, 6000.0, 20000.0 }
            select Enumerable.Range(0, 32768)
                .Select(i => (float)(0.9 * Math.Exp(-i / decay) * Math.Sin(2 * Math.PI * pitch * i / 44100)))
                .ToArray()];

    [Fact]
    public void Level_and_faint_hiss_do_not_hide_a_drum_but_another_drum_is_another()
    {
        var drums = Drums();
        var originals = IdentificationSpectrogram.Of(drums, 44100);
        var random = new Random(5);
        var quieterWithHiss = drums.Select(d => d.Select(v => (float)(0.5 * v + 0.01 * (2 * random.NextDouble() - 1)))
            .ToArray()).ToArray();
        var result = Identification.Score(originals, IdentificationSpectrogram.Of(quieterWithHiss, 44100));
        Assert.Equal(1.0, result.Top1);

        // Each reconstruction replaced by the next drum: none is identified as its source.
        var swapped = drums.Select((_, i) => drums[(i + 1) % drums.Length]).ToArray();
        string[] classes = ["low", "low", "low", "high", "high", "high"];
        var wrong = Identification.Score(originals, IdentificationSpectrogram.Of(swapped, 44100),
            new ClipLabels(Classes: classes));
        Assert.Equal(0.0, wrong.Top1);
        Assert.True(wrong.MedianRank > 1);
        // Only the third and sixth swaps cross from one pitch to the other.
        Assert.Equal(4 / 6.0, wrong.SameClass!.Value, 6);
        Assert.Equal(0.5, wrong.SameClassChance!.Value, 6);
        Assert.Null(result.SameClass);

        // Per group: the first three kept, the last three swapped among themselves.
        var mixed = drums.Select((_, i) => i < 3 ? quieterWithHiss[i] : drums[3 + (i - 2) % 3]).ToArray();
        string[] kits = ["a", "a", "a", "b", "b", "b"];
        var byKit = Identification.Score(originals, IdentificationSpectrogram.Of(mixed, 44100),
            new ClipLabels(Groups: kits));
        Assert.Equal(0.5, byKit.Top1, 6);
        Assert.Equal(1.0, byKit.ByGroup!["a"].Top1);
        Assert.Equal(0.0, byKit.ByGroup["b"].Top1);
        Assert.Equal(3, byKit.ByGroup["b"].Count);
        Assert.True(byKit.ByGroup["b"].MedianRank > 1);
        Assert.Null(Identification.Score(originals, IdentificationSpectrogram.Of(mixed, 44100),
            new ClipLabels(Groups: ["a", "a", "a", "a", "a", "a"])).ByGroup);

        // Velocity layers of one instrument: a drum mistaken for another layer of itself is still that drum.
        string[] instruments = ["a/low", "a/low", "a/low", "b/high", "b/high", "b/high"];
        var layered = Identification.Score(originals, IdentificationSpectrogram.Of(swapped, 44100),
            new ClipLabels(Groups: kits, Instruments: instruments));
        Assert.Equal(0.0, layered.Top1);
        Assert.Equal(4 / 6.0, layered.SameInstrument!.Value, 6);
        Assert.Equal(2 / 3.0, layered.ByGroup!["a"].SameInstrument!.Value, 6);
        Assert.Equal(1.0, Identification.Score(originals, IdentificationSpectrogram.Of(quieterWithHiss, 44100),
            new ClipLabels(Instruments: instruments)).SameInstrument);
        Assert.Null(wrong.SameInstrument);
    }

    [Fact]
    public void Identification_compares_clips_of_one_length_only()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            IdentificationSpectrogram.Of([new float[4096], new float[8192]], 44100));
        Assert.Contains("one length", error.Message);
    }

    [Fact]
    public void Yardsticks_low_pass_and_add_noise_as_named()
    {
        // past the filter's settling
        static double Rms(float[] x) => Math.Sqrt(x.Skip(4410).Average(v => (double)v * v));
        var low = Signals.Sine(200, 44100, 44100, amplitude: 0.5);
        var high = Signals.Sine(8000, 44100, 44100, amplitude: 0.5);
        double Gain(float[] x) =>
            20 * Math.Log10(Rms(IdentificationYardsticks.Degrade("low-pass 2 kHz", x, 44100, seed: 1)) / Rms(x));
        Assert.InRange(Gain(low), -0.5, 0.5);
        Assert.True(Gain(high) < -40, $"8 kHz through the 2 kHz low-pass: {Gain(high):0.0} dB");

        var noisy = IdentificationYardsticks.Degrade("white noise −20 dBFS", new float[44100], 44100, seed: 1);
        Assert.InRange(20 * Math.Log10(Rms(noisy)), -20.5, -19.5);
        Assert.Equal(noisy, IdentificationYardsticks.Degrade("white noise −20 dBFS", new float[44100], 44100, seed: 1));
    }
}
