using System.Diagnostics;
using Oneshot.Audio;

namespace Oneshot.Benchmarks;

/// <param name="Reader">"libsndfile" (in the process) or "ffmpeg" (a process per file).</param>
public sealed record FileDecodeSpeed(string Reader, string Extension, int Files, double Frames, double MsPerFile);

/// <summary>`oneshot bench --decode-files DIR`: decoding alone, every non-WAV audio file under DIR, in the process and
/// through ffmpeg.</summary>
public static class FileDecodeBenchmark
{
    public static IReadOnlyList<FileDecodeSpeed> Run(string directory)
    {
        if (!Directory.Exists(directory)) throw new OneshotException($"--decode-files '{directory}': no such folder.");
        var byExtension = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => AudioFile.Extensions.Contains(Path.GetExtension(f))
                && !Path.GetExtension(f).StartsWith(".wav", StringComparison.OrdinalIgnoreCase))
            .GroupBy(f => Path.GetExtension(f).ToLowerInvariant()).OrderBy(g => g.Key, StringComparer.Ordinal);
        var results = new List<FileDecodeSpeed>();
        foreach (var group in byExtension)
        {
            var files = group.Order(StringComparer.Ordinal).ToList();
            foreach (var (reader, read) in new (string, Func<string,
                AudioData?>)[] { ("libsndfile", p => SndFile.TryRead(p)),
                ("ffmpeg", p => AudioFile.ReadWithFfmpeg(p)) })
            {
                var clock = Stopwatch.StartNew();
                double frames = 0;
                foreach (string file in files) frames += read(file)?.Length ?? 0;
                results.Add(new FileDecodeSpeed(reader, group.Key, files.Count, frames,
                    clock.Elapsed.TotalMilliseconds / files.Count));
            }
        }
        return results;
    }
}
