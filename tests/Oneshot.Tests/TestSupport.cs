using System.Diagnostics;

namespace Oneshot.Tests;

/// <summary>A temporary folder deleted after the test.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "oneshot-tests",
        Guid.NewGuid().ToString("N"));
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}

public static class Signals
{
    public static float[] Sine(double frequency, int sampleRate, int length, double amplitude = 0.5, double phase = 0)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++)
            x[i] = (float)(amplitude * Math.Sin(2 * Math.PI * frequency * i / sampleRate + phase));
        return x;
    }

    public static float[] Noise(int length, int seed, double amplitude = 0.5)
    {
        var random = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(amplitude * (random.NextDouble() * 2 - 1));
        return x;
    }

    public static double Rms(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += v * (double)v;
        return Math.Sqrt(sum / Math.Max(1, x.Length));
    }
}

/// <summary>Runs the command-line tools the test command installs (sox, ffmpeg, python3-numpy).</summary>
public static class Tools
{
    public static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{program}' is not installed; the README's test command " +
                $"(./setup.sh test) installs it.", e);
        }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{program} {string.Join(" ", arguments)} failed " +
                    $"({process.ExitCode}): {error.Result}");
            return output;
        }
    }

    /// <summary>Debian's python3 with numpy (python3-numpy), not a python earlier on PATH without it.</summary>
    public static string Python => System.IO.File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

/// <summary>The repository the tests were built from (the folder holding Oneshot.slnx).</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null;
            directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Oneshot.slnx"))) return directory.FullName;
        throw new InvalidOperationException($"No Oneshot.slnx above {AppContext.BaseDirectory}: the tests run from " +
            $"the repository's build output.");
    }
}
