using Oneshot.Model;
using static TorchSharp.torch;

namespace Oneshot.Tests.Model;

public class PqmfTests
{
    static double ErrorDb(float[] input, Pqmf pqmf, int margin)
    {
        using var scope = NewDisposeScope();
        var x = tensor(input).unsqueeze(0);
        var y = pqmf.Synthesis(pqmf.Analysis(x));
        Assert.Equal(x.shape, y.shape);
        var inner = (x - y).narrow(1, margin, input.Length - 2 * margin);
        var reference = x.narrow(1, margin, input.Length - 2 * margin);
        double error = inner.square().mean().item<float>(), power = reference.square().mean().item<float>();
        return 10 * Math.Log10(error / power);
    }

    static float[] Sweep(int length, int sampleRate)
    {
        var x = new float[length];
        double phase = 0;
        for (int i = 0; i < length; i++)
        {
            double frequency = 20 * Math.Pow(sampleRate / 2.0 / 20, (double)i / length);
            phase += 2 * Math.PI * frequency / sampleRate;
            x[i] = (float)(0.5 * Math.Sin(phase));
        }
        return x;
    }

    [Theory]
    [InlineData(16, 90)]
    [InlineData(8, 90)]
    [InlineData(4, 90)]
    public void Analysis_then_synthesis_reconstructs_noise_and_a_sweep(int bands, double attenuation)
    {
        using var pqmf = new Pqmf(bands, attenuation);
        int margin = pqmf.Taps;
        double noise = ErrorDb(Signals.Noise(16384, seed: 3), pqmf, margin);
        double sweep = ErrorDb(Sweep(16384, 44100), pqmf, margin);
        Assert.True(noise < -60, $"noise reconstruction error {noise:0.0} dB");
        Assert.True(sweep < -60, $"sweep reconstruction error {sweep:0.0} dB");
    }

    [Theory]
    [InlineData(16)]
    [InlineData(4)]
    [InlineData(2)]
    public void Polyphase_synthesis_equals_the_transposed_convolution(int bands)
    {
        using var scope = NewDisposeScope();
        using var pqmf = new Pqmf(bands, 90);
        var x = randn(3, bands, 257);
        var fast = pqmf.Synthesis(x);
        var reference = pqmf.SynthesisByTransposedConvolution(x);
        Assert.Equal(reference.shape, fast.shape);
        double error = (fast - reference).abs().max().item<float>(), scale = reference.abs().max().item<float>();
        Assert.True(error < 1e-5 * scale, $"max difference {error:E2} against a peak of {scale:F2}");
    }

    [Fact]
    public void Bands_are_critically_sampled_and_separate_frequencies()
    {
        using var scope = NewDisposeScope();
        using var pqmf = new Pqmf(16, 90);
        // A sine in the middle of band 5 (each band is 22050/16 Hz wide) lands in band 5 only.
        double frequency = 22050.0 / 16 * 5.5;
        var bands = pqmf.Analysis(tensor(Signals.Sine(frequency, 44100, 16384)).unsqueeze(0));
        Assert.Equal(new long[] { 1, 16, 1024 }, bands.shape);
        var energy = bands.narrow(2, 64, 896).square().mean([0L, 2L]).data<float>().ToArray();
        int loudest = Array.IndexOf(energy, energy.Max());
        Assert.Equal(5, loudest);
        for (int k = 0; k < 16; k++)
            if (Math.Abs(k - 5) > 1)
                Assert.True(10 * Math.Log10(energy[k] / energy[5]) < -80,
                    $"band {k} leaks {10 * Math.Log10(energy[k] / energy[5]):0.0} dB");
    }
}
