using System.Buffers.Binary;

namespace Oneshot.Audio;

public enum WavSampleFormat { Pcm16, Pcm24, Float32 }

/// <summary>Writes plain RIFF WAVE files, through a temporary file renamed into place.</summary>
public static class WavWriter
{
    public static void Write(string path, AudioData audio, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        byte[] bytes = Encode(audio, format);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    public static void Write(string path, float[] mono, int sampleRate,
        WavSampleFormat format = WavSampleFormat.Pcm16) =>
        Write(path, AudioData.Mono(sampleRate, mono), format);

    public static byte[] Encode(AudioData audio, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        int bytesPerSample = format switch { WavSampleFormat.Pcm16 => 2, WavSampleFormat.Pcm24 => 3, _ => 4 };
        ushort encoding = format == WavSampleFormat.Float32 ? (ushort)3 : (ushort)1;
        int channels = audio.ChannelCount;
        int blockAlign = bytesPerSample * channels;
        long dataBytes = (long)audio.Length * blockAlign;
        if (dataBytes > uint.MaxValue - 64)
            throw new OneshotException("Audio is too long for a WAV file (over 4 GiB of samples).");

        var bytes = new byte[44 + dataBytes];
        var span = bytes.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(36 + dataBytes));
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], encoding);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)audio.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)(audio.SampleRate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], (ushort)(bytesPerSample * 8));
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], (uint)dataBytes);

        int offset = 44;
        for (int i = 0; i < audio.Length; i++)
        {
            for (int c = 0; c < channels; c++)
            {
                float x = audio.Channels[c][i];
                var s = span.Slice(offset, bytesPerSample);
                switch (format)
                {
                    case WavSampleFormat.Pcm16:
                        BinaryPrimitives.WriteInt16LittleEndian(s, (short)Quantize(x, 32767));
                        break;
                    case WavSampleFormat.Pcm24:
                        int v = Quantize(x, 8388607);
                        s[0] = (byte)v; s[1] = (byte)(v >> 8); s[2] = (byte)(v >> 16);
                        break;
                    default:
                        BinaryPrimitives.WriteSingleLittleEndian(s, x);
                        break;
                }
                offset += bytesPerSample;
            }
        }
        return bytes;
    }

    // Rounds and clips; a NaN becomes silence rather than a full-scale click.
    static int Quantize(float x, int max)
    {
        if (float.IsNaN(x)) return 0;
        double scaled = Math.Round(x * (double)(max + 1));
        return (int)Math.Clamp(scaled, -(max + 1), max);
    }
}
