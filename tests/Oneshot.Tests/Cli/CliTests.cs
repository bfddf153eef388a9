using System.Diagnostics;

namespace Oneshot.Tests.Cli;

/// <summary>The `oneshot` program as a user runs it: a separate process, its output and exit code.</summary>
public class CliTests
{
    internal static (int Code, string Output, string Error) Oneshot(params string[] arguments) =>
        OneshotWith(new Dictionary<string, string>(), arguments);

    /// <summary>The program run with these environment variables set (e.g. ONESHOT_SHIPPED_MODEL).</summary>
    internal static (int Code, string Output, string Error) OneshotWith(IReadOnlyDictionary<string, string> environment,
        params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "oneshot.dll"));
        foreach (string a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    /// <summary>
    /// No line of libtorch's own logging ("[W1204 13:32:38.335 NNPACK.cpp:56] Could not initialize NNPACK! …")
    /// or ONNX Runtime's ("… [W:onnxruntime:…]") reaches a user's terminal; TorchInterop/NativeKernels
    /// turns off what printed libtorch's.
    /// </summary>
    internal static void AssertNoLibraryWarnings(string text)
    {
        var line = System.Text.RegularExpressions.Regex.Match(text, @"^\[[WEI]\d{4} .*$|^.*(NNPACK|onnxruntime).*$",
            System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.False(line.Success, $"libtorch printed: {line.Value}");
    }

    [Fact]
    public void Every_command_has_help()
    {
        foreach (var command in new[] { new string[0], ["data"], ["data", "prepare"], ["data", "recipe"],
            ["data", "info"], ["data", "dupes"], ["quickstart"],
                                        ["train"], ["prior"], ["prior", "train"], ["sample"], ["encode"], ["decode"],
                                            ["reconstruct"], ["bench"], ["metrics"], ["eval"], ["listen"],
                                            ["listen", "results"], ["play"], ["controls"], ["pack"], ["kit"], ["map"],
                                            ["chart"] })
        {
            var (code, output, _) = Oneshot([.. command, "--help"]);
            Assert.Equal(0, code);
            Assert.Contains("Usage:", output);
        }
    }

    [Fact]
    public void Mistakes_give_a_clear_message_and_no_stack_trace()
    {
        using var dir = new TempDir();
        var (code, _, error) = Oneshot("data", "prepare", dir.File("missing-folder"), "--out", dir.File("out"));
        Assert.Equal(1, code);
        Assert.Contains("missing-folder", error);
        Assert.Contains("does not exist", error);
        Assert.DoesNotContain("   at ", error);

        (code, _, error) = Oneshot("data", "info", dir.Path);
        Assert.Equal(1, code);
        Assert.Contains("dataset.json", error);

        (code, _, error) = Oneshot("data", "recipe", "synthetic", "--out", dir.File("x"), "--length", "100");
        Assert.Equal(1, code);
        Assert.Contains("--length", error);

        (code, _, _) = Oneshot("data", "recipe", "nonsense", "--out", dir.File("y"));
        Assert.NotEqual(0, code);

        (code, _, error) = Oneshot("prior", "train", dir.File("no-model"));
        Assert.Equal(1, code);
        Assert.Contains("no-model", error);
        Assert.Contains("oneshot train", error);

        (code, _, error) = Oneshot("prior", "train", dir.File("no-model"), "--set", "prior.nonsense=1");
        Assert.Equal(1, code);
        Assert.Contains("prior.layers", error); // the message lists the settings there are
    }

    [Fact]
    public void A_run_cut_short_by_minutes_says_how_to_anneal_within_that_length()
    {
        using var dir = new TempDir();
        string data = Training.TinyData.Build(dir);
        var (code, output, error) = Oneshot("train", "--data", data, "--out", dir.File("m"), "--preset", "tiny",
            "--minutes", "0.001");
        Assert.True(code == 0, error + output);
        Assert.Matches(@"stopped\s+at\s+the\s+time\s+limit", output);
        var suggested = System.Text.RegularExpressions.Regex.Match(output, @"--set\s+train\.steps=(\d+)");
        Assert.True(suggested.Success, output);
        Assert.InRange(long.Parse(suggested.Groups[1].Value), 1, 149);   // the steps done; tiny schedules 300
    }

    [Fact]
    public void Recipe_then_info()
    {
        using var dir = new TempDir();
        string dataset = dir.File("synthetic");
        var (code, output, error) = Oneshot("data", "recipe", "synthetic", "--count", "16", "--sample-rate", "16000",
            "--length", "16000", "--out", dataset);
        Assert.True(code == 0, error);
        Assert.Contains("Prepared 16 clips", output);

        (code, output, error) = Oneshot("data", "info", dataset, "--groups");
        Assert.True(code == 0, error);
        Assert.Contains("kit-001", output);
        Assert.Contains("spectral centroid", output);

        (code, _, error) = Oneshot("data", "recipe", "synthetic", "--count", "16", "--sample-rate", "16000", "--length",
            "16000", "--out", dataset);
        Assert.Equal(1, code);
        Assert.Contains("--force", error);
    }

    [Fact]
    public void Controls_are_fitted_anew_for_an_older_model_and_a_moved_dataset_is_asked_for()
    {
        using var dir = new TempDir();
        string data = Training.TinyData.Build(dir);
        string model = Training.TinyData.TrainModel(dir, data);
        // As a model trained before controls existed: latent.json without them.
        string latentPath = Path.Combine(model, "latent.json");
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(latentPath))!.AsObject();
        var fitted = node["controls"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("brightness", fitted);
        node.Remove("controls");
        File.WriteAllText(latentPath, node.ToJsonString());
        Assert.Empty(global::Oneshot.Model.ModelDirectory.LoadLatent(model)!.Controls);

        var (code, output, error) = Oneshot("controls", model);
        Assert.True(code == 0, error + output);
        Assert.Contains("brightness", output);
        Assert.Contains("R² valid", output);
        Assert.Equal(fitted, global::Oneshot.Model.ModelDirectory.LoadLatent(model)!.Controls.Select(c => c.Name));

        Directory.Move(data, dir.File("moved"));
        (code, _, error) = Oneshot("controls", model);
        Assert.Equal(1, code);
        Assert.Contains("--data", error);
        Assert.DoesNotContain("   at ", error);
        (code, output, error) = Oneshot("controls", model, "--data", dir.File("moved"));
        Assert.True(code == 0, error + output);
    }
}
