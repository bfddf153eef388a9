using Oneshot.Model;
using Oneshot.Storage;
using Oneshot.Tests.Training;
using Oneshot.TorchInterop;

namespace Oneshot.Tests.Cli;

public class DeviceOptionTests
{
    [Fact]
    public void Auto_and_cpu_run_on_the_cpu_and_anything_else_is_a_clear_error()
    {
        Assert.Equal(TorchSharp.DeviceType.CPU, ComputeDevice.Resolve("cpu").Device.type);
        Assert.Equal(TorchSharp.DeviceType.CPU, ComputeDevice.Resolve(null).Device.type);
        Assert.Contains("--device 'gpu' is not a device",
            Assert.Throws<OneshotException>(() => ComputeDevice.Resolve("gpu")).Message);
        Assert.Contains("cuda:N", Assert.Throws<OneshotException>(() => ComputeDevice.Resolve("cuda:x")).Message);
        // This machine has the CPU build and no GPU: CUDA is refused with what to do about it.
        var cuda = Assert.Throws<OneshotException>(() => ComputeDevice.Resolve("cuda:0")).Message;
        Assert.Contains(ComputeDevice.BuiltWithCuda ? "no CUDA device" : "./setup.sh build --cuda", cuda);
    }

    [Fact]
    public void Training_with_device_cpu_equals_the_default_bit_for_bit_and_cuda_is_refused_by_every_command()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir, count: 12);
        string[] train = ["train", "--data", data, "--preset", "tiny", "--threads", "1", "--set", "train.steps=3",
            "--set", "train.batch_size=2", "--set", "train.validate_every=3",
                          "--set", "model.sample_rate=8000", "--set", "model.clip_length=8192"];
        var (code, output, error) = CliTests.Oneshot([.. train, "--out", dir.File("default")]);
        Assert.True(code == 0, error + output);
        Assert.Contains("Running on the CPU", error);
        CliTests.AssertNoLibraryWarnings(output + error);
        (code, output, error) = CliTests.Oneshot([.. train, "--out", dir.File("cpu"), "--device", "cpu"]);
        Assert.True(code == 0, error + output);
        using (var first = Safetensors.Load(Path.Combine(dir.File("default"), ModelDirectory.WeightsFile)))
        using (var second = Safetensors.Load(Path.Combine(dir.File("cpu"), ModelDirectory.WeightsFile)))
        {
            Assert.Equal(first.Tensors.Keys.Order(), second.Tensors.Keys.Order());
            Assert.All(first.Tensors,
                p => Assert.True(p.Value.equal(second.Tensors[p.Key]).all().item<bool>(), $"'{p.Key}' differs"));
        }

        string model = dir.File("cpu");
        foreach (string[] command in new string[][]
        {
            [.. train, "--out", dir.File("gpu")], ["encode", model, data], ["decode", model, "latents.npy"],
                ["reconstruct", model, data], ["sample", model],
            ["eval", "--models", model, "--data", data, "--out", dir.File("eval")], ["play", model],
                ["prior", "train", model], ["bench", "--model", model],
            ["kit", dir.File("kit.json"), "--model", model],
        })
        {
            (code, _, error) = CliTests.Oneshot([.. command, "--device", "cuda"]);
            Assert.True(code == 1, $"{command[0]}: exit {code}, {error}");
            Assert.Contains("--device cuda", error);
            Assert.DoesNotContain("   at ", error);
        }
        Assert.False(Directory.Exists(dir.File("gpu")), "a refused training run left a model directory behind");
    }
}
