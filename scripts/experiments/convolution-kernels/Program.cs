// Issue 33: libtorch's oneDNN convolutions against its own, on this CPU.
//   dotnet run -c Release --project scripts/experiments/convolution-kernels -- correctness [on|off]
//   dotnet run -c Release --project scripts/experiments/convolution-kernels -- speed [on|off] [threads]
// correctness: for each shape, how many of 100 random draws give an output, input gradient or
// weight gradient more than 1e-4 (relative to its largest value) away from float64.
// speed: the cpu preset's training step (batch 8, forward + backward) and one decode, medians.
// Oneshot turns oneDNN off when it loads (src/Oneshot/TorchInterop/NativeKernels.cs); "on" turns
// it back on for this process. Cap the instruction set with ATEN_CPU_CAPABILITY, MKL_ENABLE_INSTRUCTIONS
// and ONEDNN_MAX_CPU_ISA, as scripts/run-tests.sh does.
using System.Diagnostics;
using System.Runtime.InteropServices;
using Oneshot.Benchmarks;
using Oneshot.Model;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

string mode = args.ElementAtOrDefault(0) ?? "correctness";
bool oneDnn = args.ElementAtOrDefault(1) == "on";
NativeKernels.Configure();
if (oneDnn) OneDnn.Enable();
Console.WriteLine($"libtorch kernels {NativeKernels.CpuCapability}, oneDNN " +
    $"{(NativeKernels.OneDnnEnabled ? "on" : "off")}");

if (mode == "correctness")
{
    (int In, int Out, int Kernel, int Stride, bool Transposed)[] shapes =
        [(16, 3, 5, 1, false), (32, 4, 3, 1, false), (16, 16, 3, 1, false), (32, 17, 3, 1, false), (4, 32, 3, 1, false),
            (17, 32, 3, 1, false),
         (8, 16, 4, 2, false), (16, 8, 4, 2, true), (32, 17, 4, 2, true), (17, 32, 4, 2, true), (1, 16, 7, 1, false),
             (16, 1, 7, 1, false), (64, 64, 3, 1, false)];
    Console.WriteLine("| in → out, kernel, stride | output wrong | input gradient wrong | weight gradient wrong |");
    Console.WriteLine("|---|---|---|---|");
    manual_seed(1);
    foreach (var s in shapes)
    {
        int[] wrong = new int[3];
        for (int draw = 0; draw < 100; draw++)
        {
            using var scope = NewDisposeScope();
            Tensor Apply(Tensor x, Tensor w) => s.Transposed
                ? nn.functional.conv_transpose1d(x, w, null, stride: s.Stride, padding: s.Kernel / 2 - s.Stride / 2)
                : nn.functional.conv1d(x, w, null, stride: s.Stride, padding: s.Kernel / 2);
            var x = randn(4, s.In, 256, requires_grad: true);
            var w = (s.Transposed ? randn(s.In, s.Out, s.Kernel) : randn(s.Out, s.In, s.Kernel)).requires_grad_(true);
            var y = Apply(x, w);
            var gradient = randn_like(y);
            y.backward([gradient]);
            var x64 = x.detach().to(float64).requires_grad_(true);
            var w64 = w.detach().to(float64).requires_grad_(true);
            Apply(x64, w64).backward([gradient.to(float64)]);
            static bool Off(Tensor actual, Tensor reference) =>
                !((reference - actual.to(float64)).abs().max().item<double>() <= 1e-4 * reference.abs().max()
                    .item<double>());
            if (Off(y, Apply(x64.detach(), w64.detach()))) wrong[0]++;
            if (Off(x.grad!, x64.grad!)) wrong[1]++;
            if (Off(w.grad!, w64.grad!)) wrong[2]++;
        }
        Console.WriteLine($"| {s.In} → {s.Out}, {s.Kernel}, {s.Stride}{(s.Transposed ? " transposed" : "")} | " +
            $"{wrong[0]} | {wrong[1]} | {wrong[2]} |");
    }
}
else
{
    int threads = int.Parse(args.ElementAtOrDefault(2) ?? "1");
    set_num_threads(threads);
    var config = Presets.Get("cpu");
    manual_seed(0);
    using var model = new WaveformVae(config.Model);
    var loss = new ReconstructionLoss(config.Model);
    var clips = randn(8, config.Model.ClipLength).mul(0.1);
    var steps = new List<double>();
    for (int i = 0; i < 8; i++)
    {
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        model.zero_grad();
        var output = model.Forward(clips, null);
        var (full, bands) = loss.PerItem(clips, output);
        full.mean().add(bands.mean()).backward();
        if (i >= 2) steps.Add(clock.Elapsed.TotalMilliseconds);
    }
    steps.Sort();
    var decode = DecodeBenchmark.DecodeLatency(config, threads, 100);
    Console.WriteLine($"{threads} thread(s): training step (batch 8) median {steps[steps.Count / 2]:F0} ms; decode " +
        $"one clip median {decode.MedianMs:F2} ms (p90 {decode.P90Ms:F2})");
}

/// <summary>Turns libtorch's oneDNN back on for this process (what Oneshot turned off), to compare.</summary>
static class OneDnn
{
    public static unsafe void Enable()
    {
        var library = NativeLibrary.Load("libtorch_cpu.so");
        var context = ((delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(library, "_ZN2at13globalContextEv"))();
        ((delegate* unmanaged<IntPtr, byte, void>)NativeLibrary.GetExport(library,
            "_ZN2at7Context20setUserEnabledMkldnnEb"))(context, 1);
    }
}
