using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Tests.Build;

public class TorchSharpTests
{
    [Fact]
    public void Loads_and_computes()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        var product = matmul(a, a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, product.data<float>().ToArray());

        // A convolution, an STFT and a backward pass: the pieces the model needs.
        var x = randn(1, 1, 1024, requires_grad: true);
        var weight = randn(4, 1, 3);
        var y = nn.functional.conv1d(x, weight, padding: 1);
        Assert.Equal(new long[] { 1, 4, 1024 }, y.shape);
        var spectrum = stft(x.reshape(1, 1024), n_fft: 256, hop_length: 64, window: hann_window(256),
            return_complex: true).abs();
        Assert.Equal(129, spectrum.shape[1]);
        (y.pow(2).mean() + spectrum.mean()).backward();
        Assert.NotNull(x.grad);
        Assert.True(x.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Native_library_is_patched_only_in_the_build_output()
    {
        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native",
            "libLibTorchSharp.so");
        Assert.True(File.Exists(output), $"{output} is missing");
        string systemLibstdcxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
        bool systemHasVersion = File.Exists(systemLibstdcxx)
            && File.ReadAllText(systemLibstdcxx, System.Text.Encoding.Latin1).Contains("GLIBCXX_3.4.32\0");

        string patched = Tools.Run("readelf", "-V", output);
        string required = patched.Split('\n').Single(l => l.Contains("Name: GLIBCXX_3.4.32"));
        Assert.Contains(systemHasVersion ? "Flags: none" : "Flags: WEAK", required);

        // The NuGet cache keeps the library as shipped.
        string home = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string cached = Path.Combine(home, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native",
            "libLibTorchSharp.so");
        if (File.Exists(cached))
            Assert.Contains("Flags: none", Tools.Run("readelf", "-V", cached).Split('\n')
                .Single(l => l.Contains("Name: GLIBCXX_3.4.32")));
    }

    /// <summary>
    /// TorchSharp's <c>t.sum(0)</c> binds to <c>sum(ScalarType?)</c> — the literal 0 converts to an
    /// enum — and sums everything into bytes instead of along dimension 0 (<c>sum(0L)</c> is meant).
    /// An integer accumulation type for our float tensors is never intended, so any call that hands
    /// a reduction a small integer as its ScalarType is one of these.
    /// </summary>
    [Fact]
    public void Our_code_never_passes_a_dimension_where_torch_expects_a_scalar_type()
    {
        var problems = new List<string>();
        foreach (var assembly in new[] { typeof(Oneshot.TorchInterop.Scalars).Assembly,
            typeof(Oneshot.Cli.CliApp).Assembly })
            foreach (var type in assembly.GetTypes())
                foreach (var method in Il.MethodsOf(type))
                {
                    var code = Il.Instructions(method);
                    for (int i = 2; i < code.Count; i++)
                        if (code[i].Member is MethodInfo call && call.Module.Assembly == typeof(torch).Assembly
                            && code[i - 1].Member is ConstructorInfo nullable
                                && nullable.DeclaringType == typeof(ScalarType?)
                            && code[i - 2].Integer is >= (long)ScalarType.Byte and <= (long)ScalarType.Int64)
                            problems.Add($"{type.FullName}.{method.Name} calls " +
                                $"{call.Name}((ScalarType){code[i - 2].Integer}): a dimension was meant; write it as " +
                                $"a long ({call.Name}({code[i - 2].Integer}L)).");
                }
        Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct().Order()));
    }
}
