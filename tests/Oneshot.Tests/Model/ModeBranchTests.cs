using Oneshot.Evaluation;
using Oneshot.Model;
using Oneshot.Optimisation;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Tests.Model;

// Alone: the fit starts from weights drawn from libtorch's process-wide generator, which other classes reseed.
[Collection(ExactRunsCollection.Name)]
public class ModeBranchTests
{
    static readonly ModelConfig Small = Presets.Get("tiny").Model with
    {
        SampleRate = 16000, ClipLength = 16384, Modes = 16, ModeHidden = 32, ModeMinHz = 50, ModeMaxHz = 6000,
    };

    [Fact]
    public void Modes_stay_in_their_bands_and_stay_finite_for_any_latent()
    {
        using var scope = NewDisposeScope();
        using var branch = new ModeBranch(Small);
        using var _ = no_grad();
        var z =
            cat([randn(4, Small.LatentSize), ones(1, Small.LatentSize).Times(1e4),
            ones(1, Small.LatentSize).Times(-1e4)], 0);
        var (frequencies, decays, amplitudes) = branch.Parameters(z);
        double ratio = Math.Pow(Small.ModeMaxHz / Small.ModeMinHz, 1.0 / Small.Modes);
        var f = frequencies.data<float>().ToArray();
        for (int i = 0; i < f.Length; i++)
        {
            int k = i % Small.Modes;
            double low = Small.ModeMinHz * Math.Pow(ratio, k), high = low * ratio;
            Assert.InRange(f[i], low * 0.9999, high * 1.0001);
        }
        Assert.All(decays.data<float>().ToArray(), d => Assert.InRange(d, 0.0099, 4.0001));
        Assert.True(amplitudes.isfinite().all().item<bool>() && amplitudes.ge(Scalars.Of(0)).all().item<bool>());
        var audio = branch.forward(z);
        Assert.Equal(new long[] { 6, Small.PaddedLength }, audio.shape);
        Assert.True(audio.isfinite().all().item<bool>());

        // The blockwise sum is the formula itself, sample for sample.
        var hz = frequencies.to_type(ScalarType.Float64); var tau = decays.to_type(ScalarType.Float64);
        var a = amplitudes.to_type(ScalarType.Float64);
        var t = tensor(Enumerable.Range(0, Small.PaddedLength).Select(i => (double)i / Small.SampleRate).ToArray())
            .reshape(1, 1, -1);
        var direct = t.mul(hz.unsqueeze(-1)).Times(2 * Math.PI).sin().mul(t.neg().div(tau.unsqueeze(-1)).exp())
            .mul(a.unsqueeze(-1)).sum([1L]);
        double scale = direct.abs().max().item<double>();
        Assert.True(audio.to_type(ScalarType.Float64).Plus(direct.neg()).abs().max().item<double>() < 1e-3 * scale
            + 1e-6);
    }

    [Fact]
    public void A_new_branch_is_quiet_and_a_model_with_one_adds_only_its_weights()
    {
        using var scope = NewDisposeScope();
        using var branch = new ModeBranch(Small);
        using (no_grad())
        {
            var audio = branch.forward(randn(8, Small.LatentSize));
            Assert.True(audio.square().mean().sqrt().item<float>() < 0.01, "the branch starts near silence");
        }
        using var plain = new WaveformVae(Small with { Modes = 0 });
        using var withModes = new WaveformVae(Small);
        var names = ModelDirectory.Weights(plain).Keys.ToHashSet();
        var added = ModelDirectory.Weights(withModes).Keys.Where(k => !names.Contains(k)).ToList();
        Assert.Equal(["modes.hidden.bias", "modes.hidden.weight", "modes.output.bias", "modes.output.weight"],
            added.Order());
        using (no_grad())
            Assert.Equal(new long[] { 2, Small.ClipLength }, withModes.Decode(randn(2, Small.LatentSize)).shape);
    }

    /// <summary>
    /// The point of the branch: gradient descent on the model's spectral loss makes a mode ring at a
    /// partial the target has. With bands a semitone wide, the mode whose band holds the partial
    /// rings within a quarter-tone of it, louder than any other, even where it starts; with wider bands a mode seldom
    /// moves far enough (16 bands over 50–6000 Hz kept a partial for 4 of 18 seeds and partials, a
    /// semitone grid for 17 of 18 after 800 steps), so the test holds the grid to a semitone. Which
    /// seeds miss depends on the thread count (the order of the sums): on one thread 2 of these 6
    /// missed, so the test asks for four of six, far above the wide bands' 4 of 18.
    /// </summary>
    [Fact]
    public void Gradient_descent_on_a_spectral_loss_finds_a_partial()
    {
        (int Seed, double Hz)[] cases = [(1, 1000), (2, 860), (3, 1500), (4, 700), (5, 1200), (6, 2000)];
        var missed = cases.Where(c => !FindsPartial(c.Seed, c.Hz)).ToList();
        Assert.True(missed.Count <= 2, $"no mode rang loudest at the partial for " +
            $"{string.Join(", ", missed.Select(c => $"seed {c.Seed} at {c.Hz} Hz"))}");
    }

    static bool FindsPartial(int seed, double hz)
    {
        var semitoneGrid = Small with { Modes = (int)Math.Ceiling(12 * Math.Log2(Small.ModeMaxHz / Small.ModeMinHz)) };
        using var scope = NewDisposeScope();
        random.manual_seed(seed);
        using var branch = new ModeBranch(semitoneGrid);
        int length = semitoneGrid.PaddedLength;
        var time = tensor(Enumerable.Range(0, length).Select(i => (float)i / semitoneGrid.SampleRate).ToArray());
        var target = time.Times(2 * Math.PI * hz).sin().mul(time.Times(-3).exp()).Times(0.5).unsqueeze(0);
        var z = randn(1, semitoneGrid.LatentSize);
        using var spectral = new SpectralLoss([4096, 1024, 256]);
        using var adam = new AdamOptimizer(branch.named_parameters().Select(p => (p.name, p.parameter)), 0.9, 0.999,
            1e-8);
        var partial = PartialsKept.Peaks(target[0].data<float>().ToArray(), semitoneGrid.SampleRate);
        Assert.Single(partial);
        using (no_grad())
            Assert.True(branch.forward(z).square().mean().sqrt().item<float>() < 0.01,
                "the branch starts near silence");
        for (int step = 0; step < 800; step++)
        {
            using var inner = NewDisposeScope();
            adam.Minimise(spectral.PerItem(target, branch.forward(z)).mean(), 10, 0.02);
        }
        using (no_grad())
        {
            float[] made = branch.forward(z)[0].data<float>().ToArray();
            var loudestFirst = PartialsKept.Peaks(made, semitoneGrid.SampleRate);
            return PartialsKept.Share(partial, loudestFirst.Take(1).ToList()) == 1.0;
        }
    }
}
