using System.CommandLine;
using Oneshot.TorchInterop;
using TorchSharp;

namespace Oneshot.Cli.Commands;

/// <summary>`--device`, shared by every command that runs the model.</summary>
internal static class DeviceChoice
{
    public static Option<string> Option() => new("--device")
    {
        Description = $"Where the model runs: {ComputeDevice.Choices}. auto takes CUDA when this build and machine " +
            $"have it, else the CPU, and says which.",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>The device asked for; says on standard error which it is (standard output stays the
    /// command's).</summary>
    public static torch.Device Resolve(ParseResult parse, Option<string> option)
    {
        var (device, description) = ComputeDevice.Resolve(parse.GetValue(option));
        Console.Error.WriteLine($"Running {description}.");
        return device;
    }
}
