using System.Reflection;
using Oneshot.TorchInterop;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Tests.Build;

/// <summary>
/// Guards against TorchSharp's short-lived Scalars (see <see cref="Scalars"/>): they can be freed by
/// the finaliser while libtorch reads them, which crashed hour-long training runs. The first test
/// runs the safe helpers under a garbage-collection storm that breaks the implicit forms (e.g.
/// leaky_relu(x, 0.2)) within a second; the second scans our compiled code so no such call comes back.
/// </summary>
public class ScalarLifetimeTests
{
    static readonly Assembly TorchSharpAssembly = typeof(torch).Assembly;

    [Fact]
    public void Cached_scalars_survive_garbage_collection_on_another_thread()
    {
        using var scope = NewDisposeScope();
        var x = linspace(-1, 1, 64);
        static float Compute(Tensor x) => x.LeakyRelu(0.2).Plus(x).Minus(0.5).Squared().Softplus().sum().item<float>();
        float expected = Compute(x);
        bool stop = false;
        var churn = new Thread(() => { while (!Volatile.Read(ref stop)) { GC.KeepAlive(new byte[1 << 16]); } });
        churn.Start();
        try
        {
            for (int i = 0; i < 20_000; i++)
            {
                using var inner = NewDisposeScope();
                Assert.Equal(expected, Compute(x));
            }
        }
        finally { Volatile.Write(ref stop, true); churn.Join(); }
    }

    [Fact]
    public void Our_code_never_hands_libtorch_a_scalar_that_may_be_collected()
    {
        var problems = new List<string>();
        var createsScalar = new Dictionary<MethodBase, bool>();
        foreach (var assembly in new[] { typeof(Scalars).Assembly, typeof(Oneshot.Cli.CliApp).Assembly })
            foreach (var type in assembly.GetTypes())
            {
                if (type == typeof(Scalars) || type.DeclaringType == typeof(Scalars)) continue;
                foreach (var method in Il.MethodsOf(type))
                    foreach (var (target, next) in Il.Calls(method))
                    {
                        if (target.Module.Assembly != TorchSharpAssembly) continue;
                        string where = $"{type.FullName}.{method.Name} calls " +
                            $"{target.DeclaringType?.Name}.{target.Name}(" +
                            $"{string.Join(", ", target.GetParameters().Select(p => p.ParameterType.Name))})";
                        if (MakesScalar(target))
                        {
                            if (!Il.IsStore(next))
                                problems.Add(where + ": a temporary Scalar; use Scalars.Of(constant) or hold it with " +
                                    "`using Scalar s = value;`");
                        }
                        else if (CreatesScalarInside(target, createsScalar))
                            problems.Add(where + ", which makes a temporary Scalar inside; use the ScalarSafeMath " +
                                "equivalent or pass Scalars.Of(...)");
                    }
            }
        Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct().Order()));
    }

    static bool MakesScalar(MethodBase method) =>
        method.DeclaringType == typeof(Scalar) && (method.Name == "op_Implicit" || method is ConstructorInfo)
            || method.Name == "ToScalar";

    /// <summary>Whether the TorchSharp method, or any TorchSharp method it calls, creates a Scalar.</summary>
    static bool CreatesScalarInside(MethodBase method, Dictionary<MethodBase, bool> known)
    {
        if (known.TryGetValue(method, out bool result)) return result;
        known[method] = false; // cycles
        result = Il.Calls(method).Any(call => MakesScalar(call.Target)
            || call.Target.Module.Assembly == TorchSharpAssembly && CreatesScalarInside(call.Target, known));
        known[method] = result;
        return result;
    }
}
