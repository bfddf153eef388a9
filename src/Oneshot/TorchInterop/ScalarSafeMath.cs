using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.TorchInterop;

/// <summary>
/// Scalars that live for the whole process.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 hands a Scalar's native handle to libtorch without keeping the managed object
/// alive. A Scalar made on the fly (the implicit double → Scalar conversion, or one TorchSharp makes
/// inside <c>a + b</c>, <c>square()</c>, <c>leaky_relu(x, 0.2)</c>, <c>softplus</c>, …) can therefore
/// be finalised by the GC — any other thread allocating is enough — while libtorch still reads it:
/// wrong values, NaN gradients, or "Scalar.h toFloat: Expected false to be true". Constants come
/// from here; a value that changes per call is held with <c>using Scalar s = value;</c>.
/// Tests/Build/ScalarLifetimeTests scans our IL for every unsafe call.
/// </remarks>
public static class Scalars
{
    static readonly ConcurrentDictionary<double, Scalar> cache = new();
    static readonly ConcurrentDictionary<long, Scalar> integers = new();

    public static readonly Scalar One = Of(1);

    /// <summary>A double Scalar for a constant (a literal or a config value; never a per-step value, they would pile
    /// up).</summary>
    public static Scalar Of(double value) => cache.GetOrAdd(value, v => v.ToScalar());

    /// <summary>An integer Scalar, for integer tensors (a double Scalar would turn them into floats).</summary>
    public static Scalar Integer(long value) => integers.GetOrAdd(value, v => v.ToScalar());
}

/// <summary>Tensor arithmetic that never creates a short-lived Scalar (see <see cref="Scalars"/>).</summary>
public static class ScalarSafeMath
{
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, Scalars.One);
    public static Tensor Plus(this Tensor a, double b) => a.add(Scalars.Of(b), Scalars.One);
    public static Tensor Minus(this Tensor a, double b) => a.sub(Scalars.Of(b));
    public static Tensor Times(this Tensor a, double b) => a.mul(Scalars.Of(b));
    public static Tensor DividedBy(this Tensor a, double b) => a.div(Scalars.Of(b));

    /// <summary>value − a.</summary>
    public static Tensor SubtractedFrom(this Tensor a, double value) => a.neg().add(Scalars.Of(value), Scalars.One);

    public static Tensor Squared(this Tensor a) => a.mul(a);
    public static Tensor ClampMin(this Tensor a, double min) => a.clamp_min(Scalars.Of(min));
    public static Tensor LeakyRelu(this Tensor a, double slope) => a.leaky_relu(Scalars.Of(slope));
    public static Tensor Elu(this Tensor a) => a.elu(Scalars.One, Scalars.One, Scalars.One);

    /// <summary>log(1 + eˣ), written as −log σ(−x): stable, and without TorchSharp's softplus(β, threshold)
    /// Scalars.</summary>
    public static Tensor Softplus(this Tensor a) => nn.functional.logsigmoid(a.neg()).neg();
}
