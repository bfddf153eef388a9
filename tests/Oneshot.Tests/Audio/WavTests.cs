using System.Buffers.Binary;
using Oneshot.Audio;

namespace Oneshot.Tests.Audio;

public class WavTests
{
    const int Rate = 22050;
    static readonly float[] Tone = Signals.Sine(441, Rate, 2205, amplitude: 0.7);

    [Theory]
    [InlineData(WavSampleFormat.Pcm16, 1.0 / 32768)]
    [InlineData(WavSampleFormat.Pcm24, 1.0 / 8388608)]
    [InlineData(WavSampleFormat.Float32, 0)]
    public void Writer_and_reader_round_trip(WavSampleFormat format, double step)
    {
        using var dir = new TempDir();
        var stereo = new AudioData(Rate, [Tone, Tone.Select(v => -v).ToArray()]);
        WavWriter.Write(dir.File("x.wav"), stereo, format);
        var read = WavReader.Read(dir.File("x.wav"));
        Assert.Equal(Rate, read.SampleRate);
        Assert.Equal(2, read.ChannelCount);
        Assert.Equal(Tone.Length, read.Length);
        for (int i = 0; i < Tone.Length; i++)
        {
            Assert.InRange(read.Channels[0][i] - Tone[i], -step, step);
            Assert.InRange(read.Channels[1][i] + Tone[i], -step, step);
        }
    }

    // Files written by sox in every encoding the reader supports.
    [Theory]
    [InlineData("-b 8 -e unsigned-integer", 1.0 / 128, 1)]
    [InlineData("-b 16 -e signed-integer", 1.0 / 32768, 1)]
    [InlineData("-b 24 -e signed-integer", 1.0 / 8388608, 0xFFFE)]
    [InlineData("-b 32 -e signed-integer", 1e-7, 0xFFFE)]
    [InlineData("-b 32 -e floating-point", 1e-7, 3)]
    [InlineData("-b 64 -e floating-point", 1e-7, 3)]
    public void Reads_every_encoding_sox_writes(string soxFormat, double tolerance, int expectedTag)
    {
        using var dir = new TempDir();
        WavWriter.Write(dir.File("source.wav"), Tone, Rate, WavSampleFormat.Float32);
        // -D: no dither
        Tools.Run("sox", ["-D", dir.File("source.wav"), .. soxFormat.Split(' '), dir.File("out.wav")]);
        byte[] bytes = File.ReadAllBytes(dir.File("out.wav"));
        int tag = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(20));
        Assert.True(tag == expectedTag || tag == 0xFFFE, $"sox wrote format tag 0x{tag:X4}");

        var read = AudioFile.Read(dir.File("out.wav"));
        Assert.Equal(Rate, read.SampleRate);
        Assert.Equal(Tone.Length, read.Length);
        for (int i = 0; i < Tone.Length; i++)
            Assert.InRange(read.Channels[0][i] - Tone[i], -tolerance - 1e-6, tolerance + 1e-6);
    }

    [Fact]
    public void Reads_extensible_multichannel_files()
    {
        using var dir = new TempDir();
        WavWriter.Write(dir.File("source.wav"), Tone, Rate, WavSampleFormat.Float32);
        Tools.Run("sox", dir.File("source.wav"), "-b", "24", dir.File("six.wav"), "remix", "1", "1v0.5", "1v0", "1",
            "1", "1v-1", "rate", "48000");
        Assert.Equal(0xFFFE,
            BinaryPrimitives.ReadUInt16LittleEndian(File.ReadAllBytes(dir.File("six.wav")).AsSpan(20)));
        var read = WavReader.Read(dir.File("six.wav"));
        Assert.Equal(6, read.ChannelCount);
        Assert.Equal(48000, read.SampleRate);
        Assert.Equal(0.5 * Signals.Rms(read.Channels[0]), Signals.Rms(read.Channels[1]), 3);
        Assert.Equal(0, Signals.Rms(read.Channels[2]), 6);
        Assert.Equal(-read.Channels[0][1000], read.Channels[5][1000], 4);
    }

    [Fact]
    public void Tolerates_extra_and_odd_sized_chunks()
    {
        byte[] plain = WavWriter.Encode(AudioData.Mono(Rate, Tone));
        // RIFF header, fmt chunk, then an odd-sized LIST chunk with its pad byte and a bext chunk, then data.
        var list = Chunk("LIST", [1, 2, 3, 4, 5]);                    // 5 bytes + 1 pad
        var bext = Chunk("bext", new byte[602]);
        byte[] file = [.. plain.AsSpan(0, 36), .. list, .. bext, .. plain.AsSpan(36)];
        var read = WavReader.Read(file, "chunks.wav");
        Assert.Equal(Tone.Length, read.Length);
        Assert.Equal(Tone[100], read.Channels[0][100], 4);
    }

    [Fact]
    public void Data_size_zero_or_past_the_end_means_until_the_end_of_the_file()
    {
        byte[] plain = WavWriter.Encode(AudioData.Mono(Rate, Tone));
        var zero = (byte[])plain.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(zero.AsSpan(40), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(zero.AsSpan(4), 0);
        Assert.Equal(Tone.Length, WavReader.Read(zero, "zero.wav").Length);

        var huge = (byte[])plain.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(huge.AsSpan(40), 0xFFFFFFFF);
        Assert.Equal(Tone.Length, WavReader.Read(huge, "huge.wav").Length);

        // A recording cut off mid-way: the header promises more than the file holds; a half frame is dropped.
        var cut = plain.AsSpan(0, plain.Length - 1001).ToArray();
        Assert.Equal(Tone.Length - 501, WavReader.Read(cut, "cut.wav").Length);
    }

    [Fact]
    public void An_empty_data_chunk_followed_by_another_chunk_is_empty()
    {
        byte[] plain = WavWriter.Encode(AudioData.Mono(Rate, []));
        byte[] file = [.. plain, .. Chunk("LIST", new byte[10])];
        Assert.Equal(0, WavReader.Read(file, "empty.wav").Length);
    }

    [Fact]
    public void Damaged_files_give_messages_naming_the_file()
    {
        var missingFormat = Chunk("RIFF", [.. "WAVE"u8, .. Chunk("data", new byte[8])]);
        var e1 = Assert.Throws<OneshotException>(() => WavReader.Read(missingFormat, "noformat.wav"));
        Assert.Contains("noformat.wav", e1.Message);
        Assert.Contains("fmt", e1.Message);

        var notWav = "hello, this is text"u8.ToArray();
        Assert.Contains("not a WAV", Assert.Throws<OneshotException>(() => WavReader.Read(notWav, "text.wav")).Message);
        Assert.Contains("empty", Assert.Throws<OneshotException>(() => WavReader.Read([], "nothing.wav")).Message);
    }

    [Fact]
    public void Unsupported_encodings_are_decoded_through_ffmpeg()
    {
        using var dir = new TempDir();
        WavWriter.Write(dir.File("source.wav"), Tone, Rate, WavSampleFormat.Float32);
        Tools.Run("sox", dir.File("source.wav"), "-e", "a-law", dir.File("alaw.wav"));
        Assert.Throws<UnsupportedWavEncodingException>(() => WavReader.Read(dir.File("alaw.wav")));
        var read = AudioFile.Read(dir.File("alaw.wav"));
        Assert.Equal(Tone.Length, read.Length);
        Assert.InRange(Signals.Rms(read.Channels[0]) / Signals.Rms(Tone), 0.98, 1.02);   // A-law is 8-bit logarithmic
    }

    static byte[] Chunk(string id, byte[] body)
    {
        var chunk = new byte[8 + body.Length + (body.Length & 1)];
        System.Text.Encoding.ASCII.GetBytes(id).CopyTo(chunk, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)body.Length);
        body.CopyTo(chunk, 8);
        return chunk;
    }
}
