using Google.Protobuf;
using Oneshot.Audio;
using Tensorboard;

namespace Oneshot.Training;

/// <summary>
/// A TensorBoard event file with scalars, spectrogram images and audio.
/// </summary>
/// <remarks>
/// TorchSharp's SummaryWriter writes scalars, but its images go through SkiaSharp, whose native
/// library is not shipped for Linux. This writer uses the same protobuf messages (Tensorboard.Event
/// from TorchSharp) and the TFRecord framing TensorBoard reads: per record the length (u64 LE), its
/// masked CRC-32C, the bytes, their masked CRC-32C. One file per training session: TensorBoard
/// reads the files of a folder in name order, so two files written at once would hide each other.
/// </remarks>
public sealed class TensorBoardLog : IDisposable
{
    readonly FileStream _stream;

    public TensorBoardLog(string directory)
    {
        Directory.CreateDirectory(directory);
        // TensorBoard orders files by the timestamp in the name; a resumed run gets a later file.
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string path = Path.Combine(directory, $"events.out.tfevents.{now:D10}.{Environment.MachineName}.oneshot");
        for (int i = 1; File.Exists(path); i++)
            path = Path.Combine(directory, $"events.out.tfevents.{now:D10}.{Environment.MachineName}.oneshot{i}");
        FilePath = path;
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        Write(new Event { WallTime = now, FileVersion = "brain.Event:2" });
    }

    public string FilePath { get; }

    public void Scalar(string tag, double value, long step) =>
        Write(step, new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });

    /// <summary>An RGB image given as PNG bytes.</summary>
    public void Image(string tag, byte[] png, int width, int height, long step) =>
        Write(step, new Summary.Types.Value
        {
            Tag = tag,
            Image = new Summary.Types.Image { Width = width, Height = height, Colorspace = 3,
                EncodedImageString = ByteString.CopyFrom(png) },
        });

    public void Audio(string tag, float[] mono, int sampleRate, long step) =>
        Write(step, new Summary.Types.Value
        {
            Tag = tag,
            Audio = new Summary.Types.Audio
            {
                SampleRate = sampleRate,
                NumChannels = 1,
                LengthFrames = mono.Length,
                ContentType = "audio/wav",
                EncodedAudioString = ByteString.CopyFrom(WavWriter.Encode(AudioData.Mono(sampleRate, mono))),
            },
        });

    void Write(long step, Summary.Types.Value value)
    {
        var summary = new Summary();
        summary.Value.Add(value);
        Write(new Event { WallTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0, Step = step,
            Summary = summary });
    }

    void Write(Event message)
    {
        byte[] data = message.ToByteArray();
        Span<byte> header = stackalloc byte[12];
        BitConverter.TryWriteBytes(header[..8], (ulong)data.Length);
        BitConverter.TryWriteBytes(header[8..], Crc32C.Masked(header[..8]));
        _stream.Write(header);
        _stream.Write(data);
        Span<byte> footer = stackalloc byte[4];
        BitConverter.TryWriteBytes(footer, Crc32C.Masked(data));
        _stream.Write(footer);
        _stream.Flush(); // a crash keeps every event written so far
    }

    public void Dispose() => _stream.Dispose();
}
