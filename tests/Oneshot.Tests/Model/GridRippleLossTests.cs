using Oneshot.Evaluation;
using Oneshot.Model;
using static TorchSharp.torch;

namespace Oneshot.Tests.Model;

public class GridRippleLossTests
{
    const int Rate = 44100, Length = 65536, Hop = 2048;

    /// <summary>Decaying noise; with depth > 0 its envelope dips at the same place in every 2,048-sample
    /// frame.</summary>
    static float[] Burst(int seed, double depth)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, Length).Select(t =>
        {
            double phase = (double)(t % Hop) / Hop;
            return (float)(0.5 * Math.Exp(-3.0 * t / Rate) * (
                1 - depth * Math.Exp(-Math.Pow((phase - 0.5) / 0.05, 2))) * (random.NextDouble() * 2 - 1));
        })];
    }

    [Fact]
    public void The_penalty_reads_a_ripple_locked_to_the_frames_agrees_with_the_measure_and_has_a_gradient()
    {
        var loss = new GridRippleLoss(Hop, Rate);
        var plain = Enumerable.Range(0, 4).Select(i => Burst(i, 0)).ToArray();
        var gridded = Enumerable.Range(0, 4).Select(i => Burst(10 + i, 0.5)).ToArray();
        using var scope = NewDisposeScope();
        var x = tensor(gridded.SelectMany(c => c).ToArray(), [4, Length]).requires_grad_();
        var rippled = loss.Compute(x);
        double flat = loss.Compute(tensor(plain.SelectMany(c => c).ToArray(), [4, Length])).item<float>();
        Assert.True(rippled.item<float>() > 10 * flat, $"gridded {rippled.item<float>()} dB² against plain {flat} dB²");

        // The evaluation's measure (an RMS in dB over the same frames) reads the same ripple.
        var measured = FrameGridRipple.Score(plain, gridded, Rate, Hop)!;
        Assert.InRange(Math.Sqrt(rippled.item<float>()), 0.8 * measured.CandidatesDb, 1.25 * measured.CandidatesDb);

        // A hop that 32 does not divide (200 samples: frames of 5, 40 of them) folds and has a gradient too.
        var odd = new GridRippleLoss(200, 8000);
        Assert.True(float.IsFinite(odd.Compute(tensor(plain.SelectMany(c => c).ToArray(), [4, Length])).item<float>()));
        Assert.Equal(5, Oneshot.Audio.FrameGrid.FrameSamples(200));
        Assert.Equal(25, Oneshot.Audio.FrameGrid.FrameSamples(1000));

        // Clips the evaluation skips count for nothing here either: a silent one, and a hit audible for less than three
        // frames.
        var silent = new float[Length];
        var shortHit = Burst(30, 0.5).Select((v, t) => t < 2 * Hop ? v * 50 : v * 1e-4f).ToArray();
        double withSkipped =
            loss.Compute(tensor(gridded.Append(silent).Append(shortHit).SelectMany(c => c).ToArray(), [6, Length]))
            .item<float>();
        Assert.Equal(rippled.item<float>(), withSkipped, 1e-4);
        Assert.Equal(FrameGridRipple.Score(plain, gridded, Rate, Hop)!.Clips,
            FrameGridRipple.Score([.. plain, silent, shortHit], [.. gridded, silent, shortHit], Rate, Hop)!.Clips);

        rippled.backward();
        var gradient = x.grad!;
        Assert.True(gradient.isfinite().all().item<bool>() && gradient.abs().max().item<float>() > 0,
            "the penalty must reach the waveform");
    }
}
