using Oneshot.Model;
using static TorchSharp.torch;

namespace Oneshot.Tests.Model;

public class AttributeLossTests
{
    [Fact]
    public void A_dimension_ordered_like_its_attribute_costs_nothing_and_a_reversed_one_is_pushed_round()
    {
        using var scope = NewDisposeScope();
        var attribute = tensor(new float[] { 1, 2, 3, 4 }).unsqueeze(1);
        // dimension 0 ordered, 1 not used
        var ordered = tensor(new float[] { -3, -1, 1, 3, 0, 0, 0, 0 }).reshape(2, 4).t().contiguous();
        Assert.True(AttributeLoss.Compute(ordered, attribute, delta: 10).item<float>() < 1e-6);

        var reversed = tensor(new float[] { 0.3f, 0.1f, -0.1f, -0.3f, 0, 0, 0, 0 }).reshape(2, 4).t().contiguous()
            .requires_grad_();
        var loss = AttributeLoss.Compute(reversed, attribute, delta: 10);
        Assert.True(loss.item<float>() > 1);
        loss.backward();
        float[] gradient = reversed.grad!.data<float>().ToArray();
        Assert.True(gradient[0] > 0, "descent lowers the latent of the clip with the smallest attribute");
        Assert.True(gradient[6] < 0, "and raises the one with the largest");
        // dimension 1 owns no attribute
        Assert.Equal(0f, gradient[1]);
    }

    [Fact]
    public void Clips_without_the_attribute_are_left_out_of_every_pair()
    {
        using var scope = NewDisposeScope();
        var z = tensor(new float[] { -1, 1, 100 }).unsqueeze(1);
        var withUnknown = tensor(new float[] { 1, 2, float.NaN }).unsqueeze(1);
        double loss = AttributeLoss.Compute(z, withUnknown, delta: 10).item<float>();
        Assert.True(loss < 1e-6, $"the unknown clip's far-off latent must not count ({loss})");
        Assert.True(double.IsFinite(loss));
        Assert.Equal(0f, AttributeLoss.Compute(z, tensor(new float[] { float.NaN, float.NaN, float.NaN }).unsqueeze(1),
            10).item<float>());
    }
}
