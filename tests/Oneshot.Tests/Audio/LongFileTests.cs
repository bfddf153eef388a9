using System.Buffers.Binary;
using Oneshot.Audio;
using Oneshot.Data;

namespace Oneshot.Tests.Audio;

/// <summary>Long and huge files cost what their first seconds cost (issue 22): the files are made here, not
/// committed.</summary>
public class LongFileTests
{
    /// <summary>A 16-bit mono WAV whose header declares <paramref name="totalSeconds"/> but whose disk holds only the
    /// leading samples (a sparse file).</summary>
    static void SparseWav(string path, int rate, double totalSeconds, float[] start, int startAtSample = 0)
    {
        long dataBytes = (long)(totalSeconds * rate) * 2;
        using var stream = File.Create(path);
        var header = new byte[44];
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)Math.Min(uint.MaxValue, dataBytes + 36));
        "WAVEfmt "u8.CopyTo(header.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(22), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), (uint)rate);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(28), (uint)(rate * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(32), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(34), 16);
        "data"u8.CopyTo(header.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), (uint)dataBytes);
        stream.Write(header);
        stream.Position = 44 + 2L * startAtSample;
        var samples = new byte[start.Length * 2];
        for (int i = 0; i < start.Length; i++)
            BinaryPrimitives.WriteInt16LittleEndian(samples.AsSpan(2 * i), (short)(start[i] * 32000));
        stream.Write(samples);
        stream.SetLength(44 + dataBytes);   // the rest is a hole: no disk used
    }

    [Fact]
    public void A_wav_over_2_GB_is_read_for_its_start_and_becomes_a_clip()
    {
        using var dir = new TempDir();
        string path = dir.File("huge.wav");
        const int Rate = 44100;
        SparseWav(path, Rate, totalSeconds: 25_000, Signals.Sine(220, Rate, Rate, 0.8));   // 2.2 GB declared
        Assert.True(new FileInfo(path).Length > 2L << 30);

        var audio = AudioFile.Read(path, AudioFile.ReadLimitSeconds);
        Assert.Equal(AudioFile.ReadLimitSeconds, audio.DurationSeconds, 2);
        Assert.Equal(25_000, audio.SourceSeconds!.Value, 1);

        var clip = ClipPreparation.PrepareFile(path, new PrepareOptions { SampleRate = 8000, ClipLength = 8000 });
        Assert.Equal(8000, clip.Length);
        Assert.True(clip.Max() > 0.5f);
    }

    [Fact]
    public void A_long_flac_is_decoded_only_as_far_as_a_clip_needs()
    {
        using var dir = new TempDir();
        string path = dir.File("long.flac");
        Tools.Run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=22050:duration=600",
            "-c:a", "flac", path);
        var audio = AudioFile.Read(path, AudioFile.ReadLimitSeconds);
        Assert.InRange(audio.DurationSeconds, AudioFile.ReadLimitSeconds - 0.01, AudioFile.ReadLimitSeconds + 0.01);
        Assert.True(audio.Truncated);
        Assert.InRange(AudioFile.Read(path).DurationSeconds, 599.9, 600.1);   // without a limit, all of it
    }

    [Fact]
    public void A_sound_after_more_silence_than_Oneshot_searches_is_skipped_saying_the_limit()
    {
        using var dir = new TempDir();
        string path = dir.File("late.wav");
        const int Rate = 8000;
        SparseWav(path, Rate, totalSeconds: 60, Signals.Sine(300, Rate, Rate, 0.8), startAtSample: 40 * Rate);
        var error =
            Assert.Throws<OneshotException>(() =>
            ClipPreparation.PrepareFile(path, new PrepareOptions { SampleRate = 8000, ClipLength = 8000 }));
        Assert.Contains($"first {AudioFile.ReadLimitSeconds} s", error.Message);
        Assert.Contains("leading silence", error.Message);
    }
}
