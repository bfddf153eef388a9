using static TorchSharp.torch;

namespace Oneshot.Tests.Flows;

/// <summary>Brute-force Jacobians by autograd, one output coordinate at a time (float64).</summary>
public static class Jacobian
{
    /// <summary>log|det ∂f/∂x| at a single point x ([D]).</summary>
    public static double LogAbsDet(Func<Tensor, Tensor> f, Tensor x)
    {
        var point = x.unsqueeze(0).detach().requires_grad_(true);
        var output = f(point);
        long d = point.shape[1];
        var jacobian = zeros(d, d, dtype: ScalarType.Float64);
        for (int i = 0; i < d; i++)
            jacobian[i] = autograd.grad([output[0, i]], [point], retain_graph: true)[0][0];
        var (sign, logAbs) = linalg.slogdet(jacobian);
        Assert.NotEqual(0.0, sign.item<double>());
        return logAbs.item<double>();
    }
}
