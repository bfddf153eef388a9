using System.Text;
using Oneshot.Audio;
using Oneshot.Training;
using Tensorboard;

namespace Oneshot.Tests.Training;

public class TensorBoardLogTests
{
    [Fact]
    public void Crc32c_matches_the_standard_check_value() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Records_are_framed_and_hold_scalars_images_and_audio()
    {
        using var dir = new TempDir();
        string path;
        var tone = Enumerable.Range(0, 8000).Select(t => (float)(0.5 * Math.Sin(2 * Math.PI * 440 * t / 8000.0)))
            .ToArray();
        var picture = Spectrogram.Of(tone);
        using (var log = new TensorBoardLog(dir.File("board")))
        {
            path = log.FilePath;
            log.Scalar("valid/loss", 1.25, 10);
            log.Image("reconstruction/0", picture.Png, picture.Width, picture.Height, 10);
            log.Audio("reconstruction/0", tone, 8000, 10);
        }
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(path));

        var events = ReadRecords(File.ReadAllBytes(path)).Select(Event.Parser.ParseFrom).ToList();
        Assert.Equal(4, events.Count);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.All(events.Skip(1), e => Assert.Equal(10, e.Step));
        Assert.Equal(1.25f, events[1].Summary.Value[0].SimpleValue);
        var image = events[2].Summary.Value[0].Image;
        Assert.Equal((picture.Width, picture.Height), (image.Width, image.Height));
        Assert.Equal(picture.Png, image.EncodedImageString.ToByteArray());
        var audio = events[3].Summary.Value[0].Audio;
        Assert.Equal(8000, audio.SampleRate);
        Assert.Equal(tone.Length, audio.LengthFrames);
        Assert.Equal("RIFF", Encoding.ASCII.GetString(audio.EncodedAudioString.Span[..4]));
    }

    [Fact]
    public void Our_checksums_agree_with_TorchSharps_own_event_writer()
    {
        using var dir = new TempDir();
        var writer = TorchSharp.torch.utils.tensorboard.SummaryWriter(dir.File("torchsharp"), createRunName: false);
        writer.add_scalar("x", 3.5f, 7);
        string file = Directory.GetFiles(dir.File("torchsharp")).Single();
        var events = ReadRecords(File.ReadAllBytes(file)).Select(Event.Parser.ParseFrom).ToList();
        Assert.Contains(events, e => e.Step == 7 && e.Summary?.Value.Count == 1
            && e.Summary.Value[0].SimpleValue == 3.5f);
    }

    /// <summary>TFRecord framing, every checksum verified.</summary>
    static IEnumerable<byte[]> ReadRecords(byte[] file)
    {
        for (int at = 0; at < file.Length;)
        {
            var length = file.AsSpan(at, 8);
            Assert.Equal(Masked(length), BitConverter.ToUInt32(file, at + 8));
            int size = checked((int)BitConverter.ToUInt64(length));
            var data = file.AsSpan(at + 12, size).ToArray();
            Assert.Equal(Masked(data), BitConverter.ToUInt32(file, at + 12 + size));
            at += 16 + size;
            yield return data;
        }
    }

    static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C.Compute(data);
        return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
    }
}
