using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Flows;

/// <summary>
/// Monotonic rational-quadratic spline of Durkan et al. (2019, "Neural Spline Flows"): K bins on
/// [−B, B], the identity outside. Knot widths and heights are softmax shares of 2B with a minimum;
/// interior knot derivatives are softplus + a minimum and the two boundary derivatives are 1, so the
/// spline joins the identity tails smoothly. Forward, inverse (the stable root of the bin's
/// quadratic) and the derivative are all closed form.
/// </summary>
public static class RationalQuadraticSpline
{
    public const double MinimumWidth = 1e-3, MinimumHeight = 1e-3, MinimumDerivative = 1e-3;

    /// <summary>Raw derivative parameter 0 maps to derivative 1: with zero parameters the spline is the
    /// identity.</summary>
    public static readonly double DerivativeOffset = Math.Log(Math.Exp(1 - MinimumDerivative) - 1);

    /// <summary>Parameters per transformed dimension: K widths, K heights, K − 1 interior derivatives.</summary>
    public static int ParameterCount(int bins) => 3 * bins - 1;

    /// <param name="x">[B, D] inputs.</param>
    /// <param name="parameters">[B, D, 3K − 1] unconstrained parameters.</param>
    /// <returns>The outputs [B, D] and log|dy/dx| summed over D ([B]); with inverse, the inverse map and its own
    /// log-derivative.</returns>
    public static (Tensor Output, Tensor LogDet) Apply(Tensor x, Tensor parameters, int bins, double bound,
        bool inverse)
    {
        var inside = x.ge(Scalars.Of(-bound)).logical_and(x.le(Scalars.Of(bound)));
        // The maths runs on clamped inputs so that outside points (identity) never see NaN or Inf
        // in either direction of autograd.
        var clamped = x.clamp(Scalars.Of(-bound), Scalars.Of(bound));

        var (knotsX, knotsY) = KnotPositions(parameters, bins, bound);
        var widths = knotsX.narrow(-1, 1, bins) - knotsX.narrow(-1, 0, bins);
        var heights = knotsY.narrow(-1, 1, bins) - knotsY.narrow(-1, 0, bins);
        var interior = nn.functional.logsigmoid(parameters.narrow(-1, 2 * bins, bins - 1).Plus(DerivativeOffset).neg())
            .neg().Plus(MinimumDerivative);
        var boundary = ones_like(interior.narrow(-1, 0, 1));
        var derivatives = cat([boundary, interior, boundary], -1);

        var bin = searchsorted((inverse ? knotsY : knotsX).contiguous(), clamped.unsqueeze(-1).contiguous(),
            right: true)
            .sub(Scalars.Integer(1)).clamp(Scalars.Integer(0), Scalars.Integer(bins - 1));
        Tensor Pick(Tensor values, Tensor index) => values.gather(-1, index).squeeze(-1);
        var x0 = Pick(knotsX, bin);
        var y0 = Pick(knotsY, bin);
        var width = Pick(widths, bin);
        var height = Pick(heights, bin);
        var d0 = Pick(derivatives, bin);
        var d1 = Pick(derivatives, bin.add(Scalars.Integer(1), Scalars.Integer(1)));
        var slope = height / width;
        var curvature = d1.Plus(d0) - slope.Times(2);

        Tensor xi, output;
        if (!inverse)
        {
            xi = (clamped - x0) / width;
            var mix = xi * xi.SubtractedFrom(1);
            output = y0.Plus(height * (slope * xi.Squared()).Plus(d0 * mix) / slope.Plus(curvature * mix));
        }
        else
        {
            var dy = clamped - y0;
            var a = (height * (slope - d0)).Plus(dy * curvature);
            var b = height * d0 - dy * curvature;
            var c = (slope * dy).neg();
            var root = (b.Squared() - (a * c).Times(4)).ClampMin(0).sqrt();
            xi = c.Times(2) / (b.neg() - root);
            output = (xi * width).Plus(x0);
        }
        var oneMinus = xi.SubtractedFrom(1);
        var xiMix = xi * oneMinus;
        var numerator = slope.Squared() * (d1 * xi.Squared()).Plus((slope * xiMix).Times(2))
            .Plus(d0 * oneMinus.Squared());
        var logDerivative = numerator.log() - slope.Plus(curvature * xiMix).Squared().log();
        if (inverse) logDerivative = logDerivative.neg();

        output = where(inside, output, x);
        var logDet = where(inside, logDerivative, zeros_like(logDerivative)).sum(1);
        return (output, logDet);
    }

    /// <summary>The K + 1 knots in x and in y ([B, D, K + 1] each), from −B to B.</summary>
    public static (Tensor X, Tensor Y) KnotPositions(Tensor parameters, int bins, double bound) =>
        (Knots(Shares(parameters.narrow(-1, 0, bins), MinimumWidth), bound),
            Knots(Shares(parameters.narrow(-1, bins, bins), MinimumHeight), bound));

    /// <summary>Softmax shares with a floor, summing to 1.</summary>
    static Tensor Shares(Tensor logits, double minimum)
    {
        long bins = logits.shape[^1];
        return nn.functional.softmax(logits, -1).Times(1 - minimum * bins).Plus(minimum);
    }

    /// <summary>Cumulative shares as knot positions on [−B, B], the ends set exactly.</summary>
    static Tensor Knots(Tensor shares, double bound)
    {
        long bins = shares.shape[^1];
        var inner = shares.cumsum(-1).narrow(-1, 0, bins - 1).Times(2 * bound).Minus(bound);
        var start = full_like(shares.narrow(-1, 0, 1), Scalars.Of(-bound));
        var end = full_like(shares.narrow(-1, 0, 1), Scalars.Of(bound));
        return cat([start, inner, end], -1);
    }
}
