namespace Oneshot.Audio;

/// <summary>Decoded audio: one float array per channel (planar), samples nominally in [-1, 1].</summary>
public sealed class AudioData
{
    public AudioData(int sampleRate, float[][] channels)
    {
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), "sample rate must be positive");
        if (channels.Length == 0) throw new ArgumentException("audio needs at least one channel", nameof(channels));
        int length = channels[0].Length;
        if (channels.Any(c => c.Length != length))
            throw new ArgumentException("all channels must have the same length", nameof(channels));
        SampleRate = sampleRate;
        Channels = channels;
    }

    public static AudioData Mono(int sampleRate, float[] samples) => new(sampleRate, [samples]);

    public int SampleRate { get; }
    public float[][] Channels { get; }
    public int ChannelCount => Channels.Length;
    public int Length => Channels[0].Length;
    public double DurationSeconds => (double)Length / SampleRate;

    /// <summary>The whole file's duration when only its start was read (<see cref="AudioFile.ReadLimitSeconds"/>), as
    /// far as the reader knows it; null when all of it was read.</summary>
    public double? SourceSeconds { get; init; }

    /// <summary>Whether the file goes on past what was read.</summary>
    public bool Truncated => SourceSeconds is not null;

    /// <summary>Average of the channels (equal weights), so a mono file stays bit-identical.</summary>
    public float[] ToMono()
    {
        if (ChannelCount == 1) return (float[])Channels[0].Clone();
        var mono = new float[Length];
        float scale = 1f / ChannelCount;
        foreach (var channel in Channels)
            for (int i = 0; i < mono.Length; i++) mono[i] += channel[i] * scale;
        return mono;
    }
}
