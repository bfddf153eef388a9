using Oneshot.Benchmarks;
using Oneshot.Model;
using Oneshot.TorchInterop;
using Oneshot.Training;
using static TorchSharp.torch;

namespace Oneshot.Tests.Training;

// Alone: the model takes its initial weights from libtorch's process-wide generator, which other test classes reseed.
[Trait("Category", "Numerics")] // rerun under every ISA cap (scripts/run-tests.sh)
[Collection(ExactRunsCollection.Name)]
public class SemiAmortisedTests
{
    static float[] EncoderGradient(WaveformVae model) =>
        [.. model.EncoderModules.SelectMany(m => m.parameters()).Where(p => p.grad is not null)
            .SelectMany(p => p.grad!.data<float>().ToArray())];

    [Fact]
    public void The_refined_term_is_the_loss_at_the_searched_latent_and_reaches_the_encoder_as_if_it_gave_it()
    {
        using var scope = NewDisposeScope();
        var config = TinyData.Config("model.clip_length=4096", "train.refine_steps=3", "train.refine_weight=0.5");
        var batch = TrainingBenchmark.SyntheticBatch(0, 4, 4096, 8000);
        random.manual_seed(11);
        using var model = new WaveformVae(config.Model);
        using var step = new Stage1Step(model, config.Train, CPU);
        var clips = tensor(batch.Samples, [batch.Size, batch.Length]);
        var output = model.Forward(clips, null);

        // Its value: the reconstruction loss at the latents the search finds from the encoder's own.
        var term = step.RefinedReconstruction(clips, output);
        Assert.All(model.parameters(),
            p => Assert.True(p.requires_grad, "the search must give the weights back as they were"));
        var own = model.MeanLatent(output.Posterior);
        Tensor found;
        using (LatentSearch.HoldWeights(model))
            found = LatentSearch.Refine(model, step.Loss, clips, output.TargetBands.detach(), own.detach(), 3);
        var foundLeaf = found.detach().requires_grad_(true);
        var bands = model.DecodeBands(foundLeaf);
        var (full, bandLoss) = step.Loss.PerItem(clips, output.TargetBands, model.Synthesise(bands), bands);
        var atFound = full.mean().Plus(bandLoss.mean());
        Assert.Equal(atFound.item<float>(), term.item<float>());
        // Its gradient at the encoder: that of the loss at the found latent, passed on unchanged (first order).
        step.Optimizer.ZeroGrad();
        term.backward(retain_graph: true);
        var throughTerm = EncoderGradient(model);
        var atLatent = autograd.grad([atFound], [foundLeaf])[0];
        step.Optimizer.ZeroGrad();
        own.mul(atLatent.detach()).sum().backward();
        var expected = EncoderGradient(model);
        Assert.Equal(expected.Length, throughTerm.Length);
        Assert.Contains(expected, g => g != 0);
        // The decoded latent is found to the last bit, so only the order of the backward sums may differ;
        // a term that did not reach the encoder would be 100 % off.
        double difference = Math.Sqrt(expected.Zip(throughTerm, (e, t) => (double)(e - t) * (e - t)).Sum());
        double size = Math.Sqrt(expected.Sum(e => (double)e * e));
        Assert.True(difference < 1e-4 * size, $"encoder gradient off by {difference / size:P4}");

        // And a whole step with it runs and moves the weights.
        var result = step.Run(batch, 0);
        Assert.True(result.Applied && double.IsFinite(result.Loss));
    }

    [Fact]
    public void Refine_settings_are_checked()
    {
        Assert.Throws<OneshotException>(() => TinyData.Config("train.refine_steps=-1").Validate());
        Assert.Throws<OneshotException>(() => TinyData.Config("train.refine_weight=-1").Validate());
    }
}
