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
        var z = cat([randn(4, Small.LatentSize), ones(1, Small.LatentSize).Times(1e4), ones(1, Small.LatentSize).Times(-1e4)], 0);
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
        var hz = frequencies.to_type(ScalarType.Float64); var tau = decays.to_type(ScalarType.Float64); var a = amplitudes.to_type(ScalarType.Float64);
        var t = tensor(Enumerable.Range(0, Small.PaddedLength).Select(i => (double)i / Small.SampleRate).ToArray()).reshape(1, 1, -1);
        var direct = t.mul(hz.unsqueeze(-1)).Times(2 * Math.PI).sin().mul(t.neg().div(tau.unsqueeze(-1)).exp()).mul(a.unsqueeze(-1)).sum([1L]);
        double scale = direct.abs().max().item<double>();
        Assert.True(audio.to_type(ScalarType.Float64).Plus(direct.neg()).abs().max().item<double>() < 1e-3 * scale + 1e-6);
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
        Assert.Equal(["modes.hidden.bias", "modes.hidden.weight", "modes.output.bias", "modes.output.weight"], added.Order());
        using (no_grad()) Assert.Equal(new long[] { 2, Small.ClipLength }, withModes.Decode(randn(2, Small.LatentSize)).shape);
    }

    /// <summary>The point of the branch: gradient descent on a spectral loss makes a mode ring at a partial the target has.</summary>
    [Fact]
    public void Gradient_descent_on_a_spectral_loss_finds_a_partial()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        using var branch = new ModeBranch(Small);
        int length = Small.PaddedLength;
        var time = tensor(Enumerable.Range(0, length).Select(i => (float)i / Small.SampleRate).ToArray());
        var target = time.Times(2 * Math.PI * 1000).sin().mul(time.Times(-3).exp()).Times(0.5).unsqueeze(0);
        var z = randn(1, Small.LatentSize);
        using var adam = new AdamOptimizer(branch.named_parameters().Select(p => (p.name, p.parameter)), 0.9, 0.999, 1e-8);
        float[] wanted = target[0].data<float>().ToArray();
        var partial = PartialsKept.Peaks(wanted, Small.SampleRate);
        using (no_grad()) Assert.Equal(0.0, PartialsKept.Share(partial, PartialsKept.Peaks(branch.forward(z)[0].data<float>().ToArray(), Small.SampleRate)));
        Tensor LogMagnitude(Tensor x, int size) =>
            stft(x, size, size / 4, window: hann_window(size), return_complex: true).abs().Plus(1e-5).log();
        for (int step = 0; step < 300; step++)
        {
            using var inner = NewDisposeScope();
            var y = branch.forward(z);
            var loss = new[] { 256, 1024, 4096 }.Select(n => LogMagnitude(y, n).Plus(LogMagnitude(target, n).neg()).abs().mean()).Aggregate((a, b) => a.Plus(b));
            adam.Minimise(loss, 10, 0.02);
        }
        using (no_grad())
        {
            float[] made = branch.forward(z)[0].data<float>().ToArray();
            Assert.Equal(1.0, PartialsKept.Share(partial, PartialsKept.Peaks(made, Small.SampleRate)));
        }
    }
}
