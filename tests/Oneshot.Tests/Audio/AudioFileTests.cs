using Oneshot.Audio;

namespace Oneshot.Tests.Audio;

public class AudioFileTests
{
    const int Rate = 44100;

    [Theory]
    [InlineData("flac", 1e-4)]
    [InlineData("aiff", 1e-4)]
    [InlineData("ogg", 0.05)]
    [InlineData("mp3", 0.05)]
    public void Decodes_other_formats_through_ffmpeg(string extension, double rmsTolerance)
    {
        using var dir = new TempDir();
        var tone = Signals.Sine(1000, Rate, Rate / 2, amplitude: 0.5);
        WavWriter.Write(dir.File("source.wav"), AudioData.Mono(Rate, tone), WavSampleFormat.Pcm16);
        Tools.Run("ffmpeg", "-nostdin", "-v", "error", "-i", dir.File("source.wav"), dir.File("out." + extension));

        var read = AudioFile.Read(dir.File("out." + extension));
        Assert.Equal(Rate, read.SampleRate);
        // Lossy codecs add or drop priming samples; the length stays within 50 ms.
        Assert.InRange(read.Length, tone.Length - Rate / 20, tone.Length + Rate / 20);
        Assert.Equal(Signals.Rms(tone), Signals.Rms(read.Channels[0].AsSpan(0, Math.Min(read.Length, tone.Length))),
            rmsTolerance);
    }

    [Fact]
    public void Missing_ffmpeg_names_the_package()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("x.flac"), [0x66, 0x4C, 0x61, 0x43, 0, 0, 0, 0, 0, 0, 0, 0]);
        var error =
            Assert.Throws<OneshotException>(() => AudioFile.ReadWithFfmpeg(dir.File("x.flac"), "/nonexistent/ffmpeg"));
        Assert.Contains("x.flac", error.Message);
        Assert.Contains("apt-get install ffmpeg", error.Message);
    }

    [Fact]
    public void Corrupt_files_give_a_reason_naming_the_file()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("garbage.mp3"), Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919 % 251))
            .ToArray());
        var error = Assert.Throws<OneshotException>(() => AudioFile.Read(dir.File("garbage.mp3")));
        Assert.Contains("garbage.mp3", error.Message);
    }

    [Fact]
    public void Mono_downmix_averages_channels()
    {
        var audio = new AudioData(8000, [[1f, 0.5f], [0f, -0.5f]]);
        Assert.Equal([0.5f, 0f], audio.ToMono());
    }
}
