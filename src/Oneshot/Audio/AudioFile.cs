using System.Diagnostics;

namespace Oneshot.Audio;

/// <summary>
/// Reads any audio file: WAV with our own reader, everything else (FLAC, MP3, OGG, AIFF, ...) and
/// WAV encodings we do not decode through ffmpeg, which then writes 32-bit float WAV to a pipe.
/// </summary>
public static class AudioFile
{
    /// <summary>File name extensions that folder scans pick up.</summary>
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".wav", ".wave", ".bwf", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".aif", ".aiff", ".aifc",
        ".m4a", ".aac", ".wma", ".caf", ".w64", ".wv", ".ape",
    };

    public static AudioData Read(string path)
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
            try { return WavReader.Read(path); }
            catch (UnsupportedWavEncodingException) { return ReadWithFfmpeg(path); }
        }
        return ReadWithFfmpeg(path);
    }

    /// <param name="ffmpeg">The program to run (found on PATH by default).</param>
    public static AudioData ReadWithFfmpeg(string path, string ffmpeg = "ffmpeg")
    {
        var start = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-nostdin", "-v", "error", "-i", path, "-map", "0:a:0", "-f", "wav", "-acodec", "pcm_f32le", "-" })
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
            return WavReader.Read(output.GetBuffer().AsSpan(0, (int)output.Length), path);
        }
    }

    static string FirstLine(string text)
    {
        int newline = text.IndexOf('\n');
        return (newline < 0 ? text : text[..newline]).Trim();
    }
}
