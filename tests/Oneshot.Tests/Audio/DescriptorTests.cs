using Oneshot.Audio;

namespace Oneshot.Tests.Audio;

public class DescriptorTests
{
    const int Rate = 44100;

    [Fact]
    public void Centroid_of_a_sine_is_its_frequency()
    {
        var (centroid, flatness) = Descriptors.Spectral(Signals.Sine(1000, Rate, Rate), Rate);
        Assert.InRange(centroid, 980, 1020);
        Assert.True(flatness < 0.01, $"flatness of a sine {flatness}");
    }

    [Fact]
    public void White_noise_is_flat_with_a_centroid_at_a_quarter_of_the_rate()
    {
        var (centroid, flatness) = Descriptors.Spectral(Signals.Noise(Rate, seed: 3), Rate);
        Assert.InRange(centroid, Rate / 4.0 * 0.95, Rate / 4.0 * 1.05);
        // The geometric/arithmetic mean ratio of exponential power values is e^−γ ≈ 0.56.
        Assert.InRange(flatness, 0.45, 0.65);
    }

    [Fact]
    public void Attack_is_the_rise_from_10_to_90_percent()
    {
        // A 50 ms linear ramp rises from 10 % to 90 % in 40 ms.
        var x = Signals.Noise(Rate, seed: 5, amplitude: 0.8);
        int ramp = (int)(0.05 * Rate);
        for (int i = 0; i < x.Length; i++)
            x[i] *= i < ramp ? (float)i / ramp : (float)Math.Exp(-(i - ramp) / (0.3 * Rate));
        var (attack, _) = Descriptors.Envelope(x, Rate);
        Assert.InRange(attack, 0.035, 0.046);
    }

    [Fact]
    public void Decay_is_the_time_to_fall_by_20_decibels()
    {
        // e^(−t/τ) reaches 10 % at τ·ln 10; τ = 0.1 s gives 0.230 s.
        var x = Signals.Sine(300, Rate, Rate);
        for (int i = 0; i < x.Length; i++) x[i] *= (float)Math.Exp(-i / (0.1 * Rate));
        var (attack, decay) = Descriptors.Envelope(x, Rate);
        Assert.InRange(decay, 0.22, 0.24);
        Assert.True(attack < 0.005);
    }

    [Theory]
    [InlineData(55.0)]
    [InlineData(220.0)]
    [InlineData(880.0)]
    public void Pitch_of_a_harmonic_tone_is_its_fundamental(double f0)
    {
        var x = new float[Rate];
        for (int h = 1; h <= 4; h++)
        {
            if (f0 * h > Rate / 2.5) break;
            var partial = Signals.Sine(f0 * h, Rate, Rate, amplitude: 0.4 / h);
            for (int i = 0; i < x.Length; i++) x[i] += partial[i];
        }
        var (pitch, confidence) = Descriptors.Pitch(x, Rate);
        Assert.InRange(pitch, f0 * 0.99, f0 * 1.01);
        Assert.True(confidence > 0.9, $"confidence {confidence}");
    }

    [Fact]
    public void Noise_has_low_pitch_confidence()
    {
        var (_, confidence) = Descriptors.Pitch(Signals.Noise(Rate, seed: 9), Rate);
        Assert.True(confidence < 0.5, $"confidence {confidence}");
    }

    [Fact]
    public void Compute_fills_every_descriptor()
    {
        var x = Signals.Sine(440, Rate, Rate, amplitude: 0.5);
        var d = Descriptors.Compute(x, Rate);
        Assert.Equal(-6.02, d.PeakDb, 1);
        Assert.InRange(d.LoudnessLufs, -10, -8);
        Assert.InRange(d.F0Hz, 435, 445);
    }
}
