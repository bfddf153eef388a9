using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Tests.Build;

public class TorchSharpTests
{
    [Fact]
    public void LoadsAndComputes()
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
        var spectrum = stft(x.reshape(1, 1024), n_fft: 256, hop_length: 64, window: hann_window(256), return_complex: true).abs();
        Assert.Equal(129, spectrum.shape[1]);
        (y.pow(2).mean() + spectrum.mean()).backward();
        Assert.NotNull(x.grad);
        Assert.True(x.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void NativeLibraryIsPatchedOnlyInTheBuildOutput()
    {
        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(output), $"{output} is missing");
        string systemLibstdcxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
        bool systemHasVersion = File.Exists(systemLibstdcxx) && File.ReadAllText(systemLibstdcxx, System.Text.Encoding.Latin1).Contains("GLIBCXX_3.4.32\0");

        string patched = Tools.Run("readelf", "-V", output);
        string required = patched.Split('\n').Single(l => l.Contains("Name: GLIBCXX_3.4.32"));
        Assert.Contains(systemHasVersion ? "Flags: none" : "Flags: WEAK", required);

        // The NuGet cache keeps the library as shipped.
        string home = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string cached = Path.Combine(home, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (File.Exists(cached))
            Assert.Contains("Flags: none", Tools.Run("readelf", "-V", cached).Split('\n').Single(l => l.Contains("Name: GLIBCXX_3.4.32")));
    }
}
