using System.Diagnostics;
using Oneshot.Data;
using Oneshot.Evaluation;
using Oneshot.Generation;

// Does identification measure "recognisably the same sound"? Degrade a dataset split's clips in
// ways a listener would still call the same drum (level, MP3, low-pass, hiss, echo) and in ways
// that blur it, then identify the copies among the originals under candidate representations: the
// built-in embedder's statistics, and relative log-mel spectrograms floored 40, 50 and 60 dB down.
// Models given after the split are scored the same way on their reconstructions.
//
//   dotnet run -c Release --project scripts/identification-calibration -- DATASET [SPLIT] [MODEL…]
//
// Needs ffmpeg (MP3, filters). Results: docs/benchmarks.md, "What identification measures".
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: identification-calibration DATASET [SPLIT] [MODEL…]");
    return 2;
}
using var store = new ClipStore(args[0]);
string split = args.Length > 1 ? args[1] : "test";
var clips = store.IndicesOf(split).Select(store.Read).ToArray();
int rate = store.SampleRate;

using var embedder = new LogMelStatisticsEmbedder();
var representations = new (string Name, Func<IReadOnlyList<float[]>, EmbeddingMatrix> Of)[]
{
    ("embedder stats", x => embedder.Embed(x, rate)),
    ("spectrogram −40 dB", x => IdentificationSpectrogram.Of(x, rate, 40)),
    ("spectrogram −50 dB", x => IdentificationSpectrogram.Of(x, rate, 50)),
    ("spectrogram −60 dB", x => IdentificationSpectrogram.Of(x, rate, 60)),
};
var originals = representations.Select(r => r.Of(clips)).ToArray();

float[] ThroughFfmpeg(float[] x, string filter, string? mp3Bitrate = null)
{
    string raw = Path.GetTempFileName(), output = raw + ".out", mp3 = raw + ".mp3";
    try
    {
        var bytes = new byte[x.Length * 4];
        Buffer.BlockCopy(x, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(raw, bytes);
        string input = $"-f f32le -ar {rate} -ac 1 -i {raw}";
        if (mp3Bitrate is null) Ffmpeg($"{input} -af {filter} -f f32le {output}");
        else
        {
            Ffmpeg($"{input} -b:a {mp3Bitrate} {mp3}");
            Ffmpeg($"-i {mp3} -ar {rate} -ac 1 -f f32le {output}");
        }
        var decoded = File.ReadAllBytes(output);
        var y = new float[x.Length];
        Buffer.BlockCopy(decoded, 0, y, 0, Math.Min(decoded.Length, bytes.Length));
        return y;
    }
    finally
    {
        foreach (var file in new[] { raw, output, mp3 }) File.Delete(file);
    }
}

static void Ffmpeg(string arguments)
{
    using var process =
        Process.Start(new ProcessStartInfo("ffmpeg", "-loglevel error -y "
        + arguments) { RedirectStandardError = true })!;
    string error = process.StandardError.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"ffmpeg {arguments}: {error}");
}

var random = new Random(1);
float[] WithHiss(float[] x, double rmsDb) =>
    x.Select(v => (float)(v + Math.Pow(10, rmsDb / 20) * Math.Sqrt(3) * (2 * random.NextDouble() - 1))).ToArray();

var inputs = new List<(string Name, float[][] Clips)>();
void Degraded(string name, Func<float[], float[]> degrade) => inputs.Add((name, clips.Select(degrade).ToArray()));
Degraded("gain −6 dB", x => x.Select(v => v * 0.5f).ToArray());
Degraded("delay 10 ms", x => new float[rate / 100].Concat(x).Take(x.Length).ToArray());
Degraded("mp3 64 kb/s", x => ThroughFfmpeg(x, "", "64k"));
Degraded("mp3 32 kb/s", x => ThroughFfmpeg(x, "", "32k"));
foreach (int cutoff in new[] { 8000, 4000, 2000 })
    Degraded($"low-pass {cutoff / 1000} kHz (12 dB/oct)", x => ThroughFfmpeg(x, $"lowpass=f={cutoff}:poles=2"));
Degraded("high-pass 200 Hz", x => ThroughFfmpeg(x, "highpass=f=200:poles=2"));
foreach (int level in new[] { -40, -30, -20 })
    Degraded($"white noise {level} dBFS", x => WithHiss(x, level));
Degraded("8-bit", x => x.Select(v => MathF.Round(v * 127) / 127).ToArray());
Degraded("echo 60 ms × 0.4", x => ThroughFfmpeg(x, "aecho=1:1:60:0.4"));
foreach (string model in args.Skip(2))
{
    using var runner = new ModelRunner(model);
    inputs.Add(($"model {Path.GetFileName(Path.GetFullPath(model))}",
        runner.Decode(runner.Encode(clips), noiseSeed: 1)));
}

Console.WriteLine($"{clips.Length} {split} clips of {args[0]}: identified top-1 (median rank)");
Console.WriteLine($"| copy | {string.Join(" | ", representations.Select(r => r.Name))} |");
Console.WriteLine($"|---|{string.Concat(representations.Select(_ => "---|"))}");
foreach (var (name, copies) in inputs)
{
    var cells = representations.Select((r, k) =>
    {
        var result = Identification.Score(originals[k], r.Of(copies));
        return $"{result.Top1 * 100:0.0} % ({result.MedianRank})";
    });
    Console.WriteLine($"| {name} | {string.Join(" | ", cells)} |");
}
return 0;
