using Oneshot.Audio;
using Oneshot.Evaluation;
using static TorchSharp.torch;

namespace Oneshot.Tests.Evaluation;

public class EmbedderTests
{
    [Fact]
    public void Clap_front_end_has_clap_shape_and_matches_a_direct_computation()
    {
        using var frontEnd = new ClapFrontEnd();
        var tone = Signals.Sine(1000, 48000, 48000);                 // 1 s at 48 kHz, repeated 10 times
        using var features = frontEnd.Features([tone, new float[24000]], 48000);
        Assert.Equal(new long[] { 2, 1, 1001, 64 }, features.shape);

        // Frames 0 (reflect-padded start) and 500 against a direct computation in float64: the frame
        // centred on sample 480·t, periodic Hann, power spectrum, Slaney mel, dB.
        var filters = MelFilterbank.Create(48000, 1024, 64, 50, 14000);
        var padded = ClapFrontEnd.RepeatPad(tone);
        var window = Fft.Hann(1024);
        foreach (int t in new[] { 0, 500 })
        {
            var frame = new double[1024];
            for (int i = 0; i < 1024; i++)
            {
                int n = t * 480 + i - 512;
                frame[i] = padded[n < 0 ? -n : n] * window[i];
            }
            var power = Fft.PowerSpectrum(frame);
            var actual = features[0, 0, t].data<float>().ToArray();
            for (int m = 0; m < 64; m++)
            {
                double mel = 0;
                for (int k = 0; k < 513; k++) mel += filters[m * 513 + k] * power[k];
                // float32 round-off of the FFT leaks into bands far below the tone's.
                double tolerance = actual[m] > actual.Max() - 60 ? 0.01 : 1;
                Assert.InRange(actual[m] - 10 * Math.Log10(Math.Max(mel, 1e-10)), -tolerance, tolerance);
            }
        }

        // Silence is 10·log10(1e-10) = −100 dB everywhere, no clipping to a top dB.
        Assert.All(features[1].data<float>().ToArray(), v => Assert.Equal(-100f, v, 3));
    }

    [Fact]
    public void Clap_front_end_repeat_pads_and_resamples()
    {
        var clip = Enumerable.Range(0, 70000).Select(i => (float)i).ToArray();
        var padded = ClapFrontEnd.RepeatPad(clip);
        Assert.Equal(480000, padded.Length);
        Assert.Equal(69999f, padded[69999]);
        Assert.Equal(0f, padded[70000]);                              // second repeat starts over
        Assert.Equal(5f, padded[5 * 70000 + 5]);                      // 6 whole repeats (420,000 samples)
        Assert.All(padded[420000..], v => Assert.Equal(0f, v));       // then zeros
        Assert.Equal(480000, ClapFrontEnd.RepeatPad(new float[600000]).Length);

        // A 1 s clip at 44.1 kHz: resampled to 48 kHz, so the 100-frame period of the repeats holds.
        using var frontEnd = new ClapFrontEnd();
        using var features = frontEnd.Features([Signals.Noise(44100, seed: 3)], 44100);
        var a = features[0, 0, 150].data<float>().ToArray();
        var b = features[0, 0, 250].data<float>().ToArray();
        for (int m = 0; m < 64; m++) Assert.Equal(a[m], b[m], 1);
    }

    [Fact]
    public void Clap_embedder_runs_an_onnx_model_and_normalises_its_output()
    {
        using var dir = new TempDir();
        const int mels = 64, dimensions = 16;
        var random = new Random(5);
        var weight = Enumerable.Range(0, mels * dimensions).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        File.WriteAllBytes(dir.File("clap.onnx"),
            OnnxModelBuilder.MeanThenProject(weight, mels, dimensions, ClapFrontEnd.Frames));

        using var embedder = new ClapEmbedder(dir.File("clap.onnx"));
        Assert.Equal(dimensions, embedder.Dimensions);
        Assert.StartsWith("clap-", embedder.Identity);
        var clips = Enumerable.Range(0, 10).Select(i => Signals.Sine(200 * (i + 1), 44100, 30000)).ToList();
        var embeddings = embedder.Embed(clips, 44100);
        Assert.Equal(10, embeddings.Count);

        // Independently: mean over time of the front end's features, times the weight, normalised.
        using var frontEnd = new ClapFrontEnd();
        using var features = frontEnd.Features(clips, 44100);
        using var pooled = features.mean([1L, 2L]).to_type(ScalarType.Float64);
        using var projected = pooled.matmul(tensor(weight, [mels, dimensions]).to_type(ScalarType.Float64));
        using var expected = projected / projected.norm(1, keepdim: true);
        var want = expected.data<double>().ToArray();
        for (int i = 0; i < want.Length; i++) Assert.Equal(want[i], embeddings.Values[i], 4);
        for (int i = 0; i < 10; i++) Assert.Equal(1, Math.Sqrt(embeddings.Row(i).ToArray().Sum(v => v * v)), 9);
    }

    [Fact]
    public void Clap_embedder_rejects_a_model_with_other_inputs()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("other.onnx"),
            OnnxModelBuilder.MeanThenProject(new float[64 * 4], 64, 4, ClapFrontEnd.Frames, inputName: "audio"));
        var error = Assert.Throws<OneshotException>(() => new ClapEmbedder(dir.File("other.onnx")));
        Assert.Contains("input_features", error.Message);
        Assert.Contains("audio [", error.Message);
        File.WriteAllBytes(dir.File("wrong-shape.onnx"),
            OnnxModelBuilder.MeanThenProject(new float[32 * 4], 32, 4, ClapFrontEnd.Frames));
        error = Assert.Throws<OneshotException>(() => new ClapEmbedder(dir.File("wrong-shape.onnx")));
        Assert.Contains("wrong shapes", error.Message);
        File.WriteAllText(dir.File("junk.onnx"), "not a model");
        error = Assert.Throws<OneshotException>(() => new ClapEmbedder(dir.File("junk.onnx")));
        Assert.Contains("junk.onnx", error.Message);
        error = Assert.Throws<OneshotException>(() => new ClapEmbedder(dir.File("missing.onnx")));
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void Built_in_embedder_tells_sounds_apart()
    {
        using var embedder = new LogMelStatisticsEmbedder();
        var low = Signals.Sine(100, 44100, 44100);
        var lowAgain = Signals.Sine(100, 44100, 44100, amplitude: 0.5, phase: 1);
        var high = Signals.Sine(5000, 44100, 44100);
        var e = embedder.Embed([low, lowAgain, high], 44100);
        Assert.Equal(128, e.Dimensions);
        double Distance(int i, int j) =>
            Math.Sqrt(Enumerable.Range(0, 128).Sum(k => Math.Pow(e.Row(i)[k] - e.Row(j)[k], 2)));
        Assert.True(Distance(0, 1) * 5 < Distance(0, 2), $"same tone {Distance(0, 1)}, other tone {Distance(0, 2)}");
    }

    [Fact]
    public void Built_in_embedder_ignores_what_lies_far_below_hearing()
    {
        using var embedder = new LogMelStatisticsEmbedder();
        var random = new Random(3);
        float[] Hit(double tailNoiseDb)
        {
            double noise = Math.Pow(10, tailNoiseDb / 20);
            return Enumerable.Range(0, 65536)
                .Select(i =>
                (float)(Math.Exp(-i / 2000.0) * Math.Sin(0.05 * i) + noise * (2 * random.NextDouble() - 1))).ToArray();
        }
        var e = embedder.Embed([Hit(-200), Hit(-130), Hit(-40)], 44100);
        double Distance(int i, int j) =>
            Math.Sqrt(Enumerable.Range(0, 128).Sum(k => Math.Pow(e.Row(i)[k] - e.Row(j)[k], 2)));
        Assert.True(Distance(0, 1) * 20 < Distance(0, 2), $"hiss at -130 dB {Distance(0, 1)}, at -40 dB " +
            $"{Distance(0, 2)}");
    }
}
