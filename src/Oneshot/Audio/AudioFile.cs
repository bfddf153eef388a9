using System.Diagnostics;

namespace Oneshot.Audio;

/// <summary>
/// Reads any audio file: WAV with our own reader; FLAC, Ogg, MP3, AIFF and the WAV encodings we do
/// not decode through libsndfile in this process (<see cref="SndFile"/>); everything else through
/// ffmpeg, which then writes 32-bit float WAV to a pipe.
/// </summary>
public static class AudioFile
{
    /// <summary>File name extensions that folder scans pick up.</summary>
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".wav", ".wave", ".bwf", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".aif", ".aiff", ".aifc",
        ".m4a", ".aac", ".wma", ".caf", ".w64", ".wv", ".ape",
    };

    /// <summary>How much leading silence preparation searches before a sound's attack.</summary>
    public const double LeadingSilenceLimitSeconds = 30;

    /// <summary>
    /// How much of a file preparation reads: the leading-silence search plus the longest clip (3 s)
    /// with a little room. An hour-long file is read for its first seconds, not decoded whole.
    /// </summary>
    public const double ReadLimitSeconds = LeadingSilenceLimitSeconds + 3.5;

    /// <param name="maxSeconds">Read at most this much from the start (null: the whole file).</param>
    public static AudioData Read(string path, double? maxSeconds = null)
    {
        if (!File.Exists(path)) throw new OneshotException($"'{path}' does not exist.");
        byte[] head = new byte[12];
        int got;
        try
        {
            using var stream = File.OpenRead(path);
            if (stream.Length == 0) throw new OneshotException($"'{path}' is empty (0 bytes).");
            got = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OneshotException($"Cannot read '{path}': {e.Message}", e);
        }
        if (WavReader.LooksLikeWav(head.AsSpan(0, got)))
        {
            try { return maxSeconds is double limit ? WavReader.Read(path, limit) : WavReader.Read(path); }
            catch (UnsupportedWavEncodingException) { }
        }
        // FLAC, Ogg, MP3, AIFF and odd WAV encodings in this process; ffmpeg for the rest.
        return SndFile.TryRead(path, maxSeconds) ?? ReadWithFfmpeg(path, maxSeconds: maxSeconds);
    }

    /// <param name="ffmpeg">The program to run (found on PATH by default).</param>
    /// <param name="maxSeconds">Decode at most this much from the start (null: the whole file).</param>
    public static AudioData ReadWithFfmpeg(string path, string ffmpeg = "ffmpeg", double? maxSeconds = null)
    {
        var start = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-nostdin", "-v", "error", "-i", path, "-map", "0:a:0" })
            start.ArgumentList.Add(argument);
        // One sample more than asked, so a file that goes on is told from one that ends exactly there.
        double? decodeSeconds = maxSeconds is double limit ? limit + 1.0 / 8000 : null;
        if (decodeSeconds is double t)
            foreach (var argument in new[] { "-t", t.ToString("R", System.Globalization.CultureInfo.InvariantCulture) })
                start.ArgumentList.Add(argument);
        foreach (var argument in new[] { "-f", "wav", "-acodec", "pcm_f32le", "-" })
            start.ArgumentList.Add(argument);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new OneshotException(
                $"Reading '{path}' needs ffmpeg (only WAV is read without it), and ffmpeg could not be started. " +
                "Install it: sudo apt-get install ffmpeg", e);
        }
        using (process)
        {
            var errorText = process.StandardError.ReadToEndAsync();
            using var output = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(output);
            process.WaitForExit();
            string error = errorText.Result.Trim();
            if (process.ExitCode != 0 || output.Length == 0)
            {
                string reason = error.Length > 0 ? FirstLine(error) : $"ffmpeg exited with code {process.ExitCode}";
                throw new OneshotException($"Cannot decode '{path}': {reason}");
            }
            var audio = WavReader.Read(output.GetBuffer().AsSpan(0, (int)output.Length), path);
            if (maxSeconds is not double wanted || audio.DurationSeconds <= wanted) return audio;
            // The file goes on past the limit; how far, ffmpeg was not asked (that would mean decoding it all).
            int frames = (int)Math.Ceiling(wanted * audio.SampleRate);
            return new AudioData(audio.SampleRate, [.. audio.Channels.Select(c => c[..frames])])
                { SourceSeconds = wanted };
        }
    }

    static string FirstLine(string text)
    {
        int newline = text.IndexOf('\n');
        return (newline < 0 ? text : text[..newline]).Trim();
    }
}
