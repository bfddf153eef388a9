using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.TorchInterop;

/// <summary>
/// `--device auto|cpu|cuda|cuda:N`: which device the model runs on. The CUDA build (`./setup.sh build
/// --cuda`, MSBuild property OneshotCuda=true) swaps TorchSharp-cpu for TorchSharp-cuda-linux and
/// defines ONESHOT_CUDA; asking for CUDA anywhere else is an error that says what to do, never a
/// libtorch stack trace.
/// </summary>
public static class ComputeDevice
{
    public const string Choices = "auto, cpu, cuda or cuda:N";

    /// <summary>Whether this build references TorchSharp's CUDA package (not a const: both branches below must compile
    /// in either build).</summary>
    public static bool BuiltWithCuda { get; } =
#if ONESHOT_CUDA
        true;
#else
        false;
#endif

    /// <summary>Which vector kernels libtorch runs here, for a user's report: "AVX512 kernels".</summary>
    static string Kernels => $"{NativeKernels.CpuCapability} kernels";

    /// <summary>The device <paramref name="spec"/> names, and a line that says which it is and why.</summary>
    public static (Device Device, string Description) Resolve(string? spec)
    {
        string value = (spec ?? "auto").Trim().ToLowerInvariant();
        switch (value)
        {
            case "cpu":
                return (CPU, $"on the CPU ({Kernels})");
            case "auto":
                if (!BuiltWithCuda)
                    return (CPU, $"on the CPU ({Kernels}; this build has no CUDA: ./setup.sh build --cuda makes one)");
                return cuda.is_available() ? (CUDA, $"on CUDA device 0 of {cuda.device_count()}")
                    : (CPU, $"on the CPU ({Kernels}; no CUDA device seen)");
        }
        int index = value == "cuda" ? 0
            : value.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(value.AsSpan(5), out int n)
                && n >= 0 ? n
            : throw new OneshotException($"--device '{spec}' is not a device: use {Choices}.");
        if (!BuiltWithCuda)
            throw new OneshotException($"--device {value}: this build of Oneshot uses TorchSharp's CPU package, " +
                $"which cannot run on a GPU. " +
                "Build the CUDA one with `./setup.sh build --cuda` on a machine with an NVIDIA driver (README, \"A " +
                    "GPU\"), or use --device cpu.");
        if (!cuda.is_available())
            throw new OneshotException($"--device {value}: TorchSharp sees no CUDA device on this machine (check the " +
                $"NVIDIA driver with nvidia-smi), or use --device cpu.");
        int count = cuda.device_count();
        if (index >= count)
            throw new OneshotException($"--device {value}: this machine has {count} CUDA " +
                $"device{(count == 1 ? "" : "s")} (cuda:0{(count > 1 ? $" … cuda:{count - 1}" : "")}).");
        return (new Device(DeviceType.CUDA, index), $"on CUDA device {index} of {count}");
    }
}
