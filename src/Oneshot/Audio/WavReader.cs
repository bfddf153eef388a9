using System.Buffers.Binary;

namespace Oneshot.Audio;

/// <summary>The WAV file uses an encoding this reader does not decode (A-law, ADPCM, ...).</summary>
public sealed class UnsupportedWavEncodingException(string message) : OneshotException(message);

/// <summary>
/// Reads RIFF/RF64 WAVE files: PCM 8/16/24/32-bit, IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE, any
/// channel count and rate. Tolerates the damage real files carry: unknown chunks, odd-sized chunks
/// with their pad byte, and a data size of 0 or past the end of the file (written by recorders
/// that stream and never patch the header).
/// </summary>
public static class WavReader
{
    const ushort FormatPcm = 1;
    const ushort FormatFloat = 3;
    const ushort FormatExtensible = 0xFFFE;

    public static bool LooksLikeWav(ReadOnlySpan<byte> header) =>
        header.Length >= 12
        && (header[..4].SequenceEqual("RIFF"u8) || header[..4].SequenceEqual("RF64"u8)
            || header[..4].SequenceEqual("BW64"u8))
        && header.Slice(8, 4).SequenceEqual("WAVE"u8);

    public static AudioData Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OneshotException($"Cannot read '{path}': {e.Message}", e);
        }
        return Read(bytes, path);
    }

    /// <summary>
    /// Reads at most the first <paramref name="maxSeconds"/> of a WAV file: the chunk headers are
    /// walked on disk and only the part of the data that is wanted is read, so an hour-long or
    /// 4 GB recording costs what its first seconds cost. <see cref="AudioData.SourceSeconds"/> then
    /// gives the whole file's length from its header.
    /// </summary>
    public static AudioData Read(string path, double maxSeconds)
    {
        try
        {
            using var stream = File.OpenRead(path);
            long length = stream.Length;
            var header = new byte[12];
            if (stream.ReadAtLeast(header, 12, throwOnEndOfStream: false) < 12 || !LooksLikeWav(header))
                return Read(path);
            byte[]? fmt = null;
            long position = 12, dataOffset = -1, dataSize = 0;
            var chunk = new byte[8];
            while (position + 8 <= length)
            {
                stream.Position = position;
                stream.ReadExactly(chunk);
                long size = BinaryPrimitives.ReadUInt32LittleEndian(chunk.AsSpan(4));
                if (chunk.AsSpan(0, 4).SequenceEqual("fmt "u8))
                {
                    fmt = new byte[Math.Min(size, 1024)];
                    stream.ReadAtLeast(fmt, fmt.Length, throwOnEndOfStream: false);
                }
                else if (chunk.AsSpan(0, 4).SequenceEqual("data"u8))
                {
                    (dataOffset, dataSize) = (position + 8, size);
                    break;
                }
                position += 8 + size + (size & 1);
            }
            // Damaged or unusual layouts: the whole-file parser names what is wrong (when the file fits in memory).
            if (fmt is null || dataOffset < 0)
                return length < int.MaxValue ? Read(path)
                    : throw new OneshotException($"'{path}' is a {length / 1e9:0.#} GB WAV file without a readable " +
                    $"'fmt ' and 'data' chunk near its start.");
            var format = ParseFormat(fmt, path);
            long available = length - dataOffset;
            // 0 and 0xFFFFFFFF: streamed or RF64 files whose size lives elsewhere; the data then runs to the end.
            long declared = dataSize == 0 || dataSize > available ? available : dataSize;
            long wanted = Math.Min(declared, (long)Math.Ceiling(maxSeconds * format.SampleRate) * format.BlockAlign);
            var prefix = new byte[dataOffset + wanted];
            stream.Position = 0;
            stream.ReadExactly(prefix);
            BinaryPrimitives.WriteUInt32LittleEndian(prefix.AsSpan((int)dataOffset - 4), (uint)wanted);
            var audio = Read(prefix, path);
            return wanted < declared
                ? new AudioData(audio.SampleRate, audio.Channels)
                    { SourceSeconds = (double)(declared / format.BlockAlign) / format.SampleRate }
                : audio;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OneshotException($"Cannot read '{path}': {e.Message}", e);
        }
    }

    /// <param name="name">Used in error messages only.</param>
    public static AudioData Read(ReadOnlySpan<byte> file, string name)
    {
        if (file.Length == 0) throw new OneshotException($"'{name}' is empty (0 bytes).");
        if (!LooksLikeWav(file)) throw new OneshotException($"'{name}' is not a WAV file (no RIFF/WAVE header).");

        WavFormat? format = null;
        int dataOffset = -1, dataLength = 0;
        int position = 12;
        while (position + 8 <= file.Length)
        {
            var id = file.Slice(position, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(position + 4, 4));
            int body = position + 8;
            long available = file.Length - body;

            if (id.SequenceEqual("fmt "u8))
            {
                format = ParseFormat(file.Slice(body, (int)Math.Min(size, available)), name);
            }
            else if (id.SequenceEqual("data"u8))
            {
                dataOffset = body;
                bool sizeUnknown = size > available || (size == 0 && available > 0 && !StartsWithChunk(file[body..]));
                dataLength = (int)(sizeUnknown ? available : size);
                if (sizeUnknown || format is not null) break;   // a streamed data chunk runs to the end
            }
            if (size > available) break;
            position = body + (int)size + (int)(size & 1);        // odd-sized chunks carry a pad byte
        }

        if (format is null) throw new OneshotException($"'{name}' has no 'fmt ' chunk: the WAV header is damaged.");
        if (dataOffset < 0) throw new OneshotException($"'{name}' has no 'data' chunk: the file holds no audio.");

        var f = format.Value;
        int frames = dataLength / f.BlockAlign;
        var channels = new float[f.Channels][];
        for (int c = 0; c < f.Channels; c++) channels[c] = new float[frames];
        Decode(file.Slice(dataOffset, frames * f.BlockAlign), f, channels);
        return new AudioData(f.SampleRate, channels);
    }

    readonly record struct WavFormat(ushort Encoding, int Channels, int SampleRate, int BlockAlign, int BytesPerSample);

    static WavFormat ParseFormat(ReadOnlySpan<byte> fmt, string name)
    {
        if (fmt.Length < 16) throw new OneshotException($"'{name}' has a truncated 'fmt ' chunk ({fmt.Length} bytes).");
        ushort encoding = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        int sampleRate = (int)BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (encoding == FormatExtensible)
        {
            if (fmt.Length < 40)
                throw new OneshotException($"'{name}' says WAVE_FORMAT_EXTENSIBLE but its 'fmt ' chunk is only " +
                    $"{fmt.Length} bytes.");
            encoding = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);   // first two bytes of the sub-format GUID
        }
        if (channels <= 0) throw new OneshotException($"'{name}' declares {channels} channels.");
        if (sampleRate <= 0) throw new OneshotException($"'{name}' declares a sample rate of {sampleRate} Hz.");
        int bytesPerSample = channels > 0 ? blockAlign / channels : 0;
        if (bytesPerSample == 0) bytesPerSample = (bits + 7) / 8;   // some writers leave blockAlign 0
        blockAlign = bytesPerSample * channels;

        bool supported = encoding switch
        {
            FormatPcm => bytesPerSample is 1 or 2 or 3 or 4,
            FormatFloat => bytesPerSample is 4 or 8,
            _ => false,
        };
        if (!supported)
            throw new UnsupportedWavEncodingException(
                $"'{name}' uses WAV encoding 0x{encoding:X4} with {bits}-bit samples, which Oneshot reads only " +
                    $"through ffmpeg.");
        return new WavFormat(encoding, channels, sampleRate, blockAlign, bytesPerSample);
    }

    static bool StartsWithChunk(ReadOnlySpan<byte> rest)
    {
        // A genuinely empty data chunk is followed by another chunk: four printable ASCII bytes.
        if (rest.Length < 8) return false;
        foreach (byte b in rest[..4]) if (b < 0x20 || b > 0x7E) return false;
        return true;
    }

    static void Decode(ReadOnlySpan<byte> data, WavFormat f, float[][] channels)
    {
        int frames = channels[0].Length;
        int n = f.Channels;
        for (int i = 0; i < frames; i++)
        {
            for (int c = 0; c < n; c++)
            {
                var s = data.Slice(i * f.BlockAlign + c * f.BytesPerSample, f.BytesPerSample);
                channels[c][i] = (f.Encoding, f.BytesPerSample) switch
                {
                    (FormatPcm, 1) => (s[0] - 128) / 128f,
                    (FormatPcm, 2) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768f,
                    (FormatPcm, 3) => ((s[0] << 8 | s[1] << 16 | s[2] << 24) >> 8) / 8388608f,
                    (FormatPcm, 4) => (float)(BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0),
                    (FormatFloat, 4) => BinaryPrimitives.ReadSingleLittleEndian(s),
                    (FormatFloat, 8) => (float)BinaryPrimitives.ReadDoubleLittleEndian(s),
                    _ => throw new InvalidOperationException("unreachable: format checked in ParseFormat"),
                };
            }
        }
    }
}
