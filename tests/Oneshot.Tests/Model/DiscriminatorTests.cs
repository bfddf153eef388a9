using Oneshot.Model;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Tests.Model;

public class DiscriminatorTests
{
    [Fact]
    public void Every_discriminator_judges_clips_of_any_length_and_passes_gradients_back()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        using var set = new DiscriminatorSet([2, 3, 5], scaleCount: 2, capacity: 4, maxChannels: 16,
            fftSizes: [256, 64]);
        Assert.Equal(7, set.Count);
        var audio = randn(2, 4001).Times(0.1).requires_grad_(true);
        var judgements = set.forward(audio);
        Assert.Equal(7, judgements.Count);
        Assert.All(judgements, j =>
        {
            Assert.Equal(2, j.Score.shape[0]);
            Assert.Equal(2, j.Score.dim());
            Assert.NotEmpty(j.Features);
        });
        AdversarialLoss.Generator(AdversarialLossKind.Hinge, judgements).backward();
        Assert.True(audio.grad!.abs().sum().item<float>() > 0);
    }

    static Judgement Scored(float value, params Tensor[] features) => new(full(2, 3, value), features);

    [Fact]
    public void Losses_have_their_textbook_values()
    {
        using var scope = NewDisposeScope();
        // Hinge: confident and right costs nothing; undecided costs 1 per side and discriminator.
        Assert.Equal(0, AdversarialLoss.Discriminator(AdversarialLossKind.Hinge, [Scored(2)], [Scored(-2)])
            .item<float>());
        Assert.Equal(4, AdversarialLoss.Discriminator(AdversarialLossKind.Hinge, [Scored(0), Scored(0)],
            [Scored(0), Scored(0)]).item<float>());
        Assert.Equal(-0.5f, AdversarialLoss.Generator(AdversarialLossKind.Hinge, [Scored(0.5f)]).item<float>());
        // Least squares: real → 1, fake → 0.
        Assert.Equal(0, AdversarialLoss.Discriminator(AdversarialLossKind.LeastSquares, [Scored(1)], [Scored(0)])
            .item<float>());
        Assert.Equal(2, AdversarialLoss.Discriminator(AdversarialLossKind.LeastSquares, [Scored(0)], [Scored(1)])
            .item<float>());
        Assert.Equal(0.25f, AdversarialLoss.Generator(AdversarialLossKind.LeastSquares, [Scored(0.5f)]).item<float>());
    }

    [Fact]
    public void Feature_matching_is_relative_and_zero_for_identical_features()
    {
        using var scope = NewDisposeScope();
        var feature = randn(2, 4, 10);
        Assert.Equal(0, AdversarialLoss.FeatureMatching([Scored(0, feature)], [Scored(0, feature.clone())])
            .item<float>());
        // A fake feature map at 1.5× the real one is off by half the real magnitude, whatever that magnitude.
        foreach (float scale in new[] { 0.01f, 100f })
        {
            var real = feature.Times(scale);
            float loss = AdversarialLoss.FeatureMatching([Scored(0, real, real)],
                [Scored(0, real.Times(1.5), real.Times(1.5))]).item<float>();
            Assert.Equal(0.5f, loss, 1e-4f);
        }
    }
}
