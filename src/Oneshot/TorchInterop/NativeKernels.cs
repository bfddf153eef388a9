using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Oneshot.TorchInterop;

/// <summary>
/// libtorch's process-wide choice of CPU kernels, made once when this library loads, before any
/// model runs. TorchSharp 0.107 has no API for these switches, so they are called by their C++
/// names in libtorch_cpu (the same functions PyTorch's <c>torch.backends.mkldnn.enabled</c> and
/// <c>torch.backends.nnpack.set_flags</c> call).
/// </summary>
/// <remarks>
/// <para><b>oneDNN convolutions off.</b> In libtorch 2.10, oneDNN's blocked convolution kernels give
/// wrong results on AVX2 and AVX-512 whenever a channel count does not fill the vector block (8 or
/// 16 floats): the input gradient of a convolution with 1, 3, 4 or 17 output channels, and the
/// output of one with 17 input channels, differ from a float64 reference in most calls and are
/// sometimes NaN (docs/benchmarks.md, "Convolutions on every x86 CPU"; tests/…/TorchInterop/ConvolutionKernelTests
/// checks both). The tiny preset, a <c>--set model.capacity=…</c> or <c>bands</c> that is not a multiple
/// of 16, and every discriminator's one-channel output hit that. libtorch's
/// own kernels (im2col + MKL's sgemm) are exact on every ISA and trained the cpu preset faster here.</para>
/// <para><b>NNPACK off.</b> Without oneDNN, libtorch asks NNPACK first for some convolutions; on a CPU
/// NNPACK does not support it prints "Could not initialize NNPACK!" on every call, to the user's terminal.</para>
/// </remarks>
public static class NativeKernels
{
    static readonly Lock gate = new();
    static bool configured;
    static IntPtr library;

    /// <summary>Why the switches could not be set (a libtorch without these symbols), or null.</summary>
    public static string? Problem { get; private set; }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Every program and test that loads this library must get the " +
        "same kernels before its first tensor operation.")]
    internal static void OnLoad() => Configure();

    /// <summary>Turns oneDNN and NNPACK convolutions off (idempotent).</summary>
    public static void Configure()
    {
        lock (gate)
        {
            if (configured) return;
            configured = true;
            try
            {
                torch.get_num_threads(); // makes TorchSharp load libtorch, so the name below finds that copy
                library = NativeLibrary.Load("libtorch_cpu.so");
                SetFlag("_ZN2at7Context20setUserEnabledMkldnnEb", false);
                SetFlag("_ZN2at7Context20setUserEnabledNNPACKEb", false);
            }
            catch (Exception e)   // this runs as the library loads: nothing may escape, or no type of it could be used
            {
                library = IntPtr.Zero;
                Problem = $"could not set libtorch's convolution kernels ({e.Message}); results may differ between " +
                    $"CPUs";
            }
        }
    }

    /// <summary>Whether libtorch may use oneDNN (false once <see cref="Configure"/> has run).</summary>
    public static unsafe bool OneDnnEnabled
    {
        get
        {
            Configure();
            if (library == IntPtr.Zero
                || !NativeLibrary.TryGetExport(library, "_ZNK2at7Context17userEnabledMkldnnEv", out var get))
                return true;
            return ((delegate* unmanaged<IntPtr, byte>)get)(GlobalContext()) != 0;
        }
    }

    /// <summary>The vector instruction set libtorch's own kernels dispatch to: "AVX512", "AVX2" or "DEFAULT"
    /// (ATEN_CPU_CAPABILITY caps it).</summary>
    public static unsafe string CpuCapability
    {
        get
        {
            Configure();
            // at::get_cpu_capability() returns a std::string by value into 32 bytes the caller passes (as the
            // first argument on x86-64 only): {char* data, size_t length, char inline[16]}. Its names fit the
            // inline buffer, so nothing is to free.
            if (library == IntPtr.Zero || RuntimeInformation.ProcessArchitecture != Architecture.X64
                || !NativeLibrary.TryGetExport(library, "_ZN2at18get_cpu_capabilityB5cxx11Ev",
                    out var export)) return "unknown";
            var call = (delegate* unmanaged<void*, void>)export;
            var storage = stackalloc byte[32];
            call(storage);
            var data = *(byte**)storage;
            var length = *(nint*)(storage + 8);
            return Marshal.PtrToStringUTF8((IntPtr)data, (int)length);
        }
    }

    static unsafe IntPtr GlobalContext() =>
        ((delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(library, "_ZN2at13globalContextEv"))();

    static unsafe void SetFlag(string symbol, bool on)
    {
        var set = (delegate* unmanaged<IntPtr, byte, void>)NativeLibrary.GetExport(library, symbol);
        set(GlobalContext(), on ? (byte)1 : (byte)0);
    }
}
