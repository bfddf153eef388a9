using Oneshot.Audio;

namespace Oneshot.Tests.Audio;

/// <summary>In-process decoding (libsndfile) against ffmpeg on files the test makes.</summary>
public class SndFileTests
{
    [Theory]
    [InlineData("flac", 0.0)]     // lossless: the same samples
    [InlineData("aiff", 0.0)]
    [InlineData("ogg", 0.05)]     // lossy: two decoders, close but not equal
    [InlineData("mp3", 0.05)]
    public void In_process_decoding_matches_ffmpeg(string format, double tolerance)
    {
        Assert.True(SndFile.IsAvailable, "libsndfile1 is missing; ./setup.sh installs it");
        using var dir = new TempDir();
        string wav = dir.File("source.wav"), coded = dir.File($"clip.{format}");
        var signal = Signals.Sine(330, 44100, 44100, 0.5);
        for (int i = 0; i < signal.Length; i++) signal[i] *= (float)Math.Exp(-3.0 * i / 44100);
        WavWriter.Write(wav, signal, 44100);
        string[] codec = format switch { "ogg" => ["-c:a", "libvorbis"], "mp3" => ["-c:a", "libmp3lame"], _ => [] };
        Tools.Run("ffmpeg", ["-v", "error", "-i", wav, .. codec, coded]);

        var ours = SndFile.TryRead(coded);
        Assert.NotNull(ours);
        var theirs = AudioFile.ReadWithFfmpeg(coded);
        Assert.Equal(theirs.SampleRate, ours!.SampleRate);
        Assert.Equal(theirs.ChannelCount, ours.ChannelCount);
        // Lossy decoders may disagree about priming samples at the ends; compare what both have.
        Assert.InRange(ours.Length, theirs.Length - 2048, theirs.Length + 2048);
        int n = Math.Min(ours.Length, theirs.Length);
        double error = 0, energy = 0;
        for (int i = 0; i < n; i++)
        {
            double d = ours.Channels[0][i] - theirs.Channels[0][i];
            error += d * d;
            energy += theirs.Channels[0][i] * (double)theirs.Channels[0][i];
        }
        Assert.True(Math.Sqrt(error / energy) <= tolerance + 1e-7,
            $"{format}: relative difference {Math.Sqrt(error / energy):0.0000}");
        if (tolerance == 0) Assert.Equal(theirs.Channels[0], ours.Channels[0]);
    }

    [Fact]
    public void A_long_flac_is_read_only_as_far_as_asked()
    {
        using var dir = new TempDir();
        string path = dir.File("long.flac");
        Tools.Run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration=120",
            "-c:a", "flac", path);
        var audio = SndFile.TryRead(path, 10)!;
        Assert.Equal(80000, audio.Length);
        Assert.Equal(120, audio.SourceSeconds!.Value, 2);
        Assert.Null(SndFile.TryRead(path)!.SourceSeconds);
        Assert.Null(SndFile.TryRead(dir.File("missing.flac")));
    }
}
