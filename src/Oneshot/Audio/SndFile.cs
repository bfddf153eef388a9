using System.Runtime.InteropServices;

namespace Oneshot.Audio;

/// <summary>
/// Reads FLAC, Ogg Vorbis/Opus, MP3 and AIFF in this process through libsndfile (Debian's
/// libsndfile1, 1.1 or later for MP3), instead of starting one ffmpeg process per file, which cost
/// about 135 ms a file. Files libsndfile cannot open are left to ffmpeg.
/// </summary>
public static partial class SndFile
{
    const string Library = "libsndfile.so.1";
    const int ReadMode = 0x10;   // SFM_READ

    [StructLayout(LayoutKind.Sequential)]
    struct Info
    {
        public long Frames;
        public int SampleRate;
        public int Channels;
        public int Format;
        public int Sections;
        public int Seekable;
    }

    static readonly Lazy<bool> available =
        new(() => NativeLibrary.TryLoad(Library, typeof(SndFile).Assembly, null, out _));

    public static bool IsAvailable => available.Value;

    /// <summary>The file's audio, at most the first <paramref name="maxSeconds"/>; null when libsndfile cannot open it
    /// (then try ffmpeg).</summary>
    public static AudioData? TryRead(string path, double? maxSeconds = null)
    {
        if (!IsAvailable) return null;
        var info = new Info();
        IntPtr file = sf_open(path, ReadMode, ref info);
        if (file == IntPtr.Zero) return null;
        try
        {
            if (info.Channels <= 0 || info.SampleRate <= 0) return null;
            long limit = maxSeconds is double seconds ? (long)Math.Ceiling(seconds * info.SampleRate) : long.MaxValue;
            // Frames is exact for FLAC and AIFF, an estimate for some compressed formats: read until the decoder stops.
            var interleaved = new List<float[]>();
            long total = 0;
            var block = new float[65536 * info.Channels];
            while (total < limit)
            {
                long frames = Math.Min(block.Length / info.Channels, limit - total);
                long got = sf_readf_float(file, block, frames);
                if (got <= 0) break;
                interleaved.Add(block[..(int)(got * info.Channels)]);
                total += got;
            }
            var channels = new float[info.Channels][];
            for (int c = 0; c < info.Channels; c++) channels[c] = new float[total];
            long frame = 0;
            foreach (var chunk in interleaved)
                for (int i = 0; i < chunk.Length; i += info.Channels, frame++)
                    for (int c = 0; c < info.Channels; c++) channels[c][frame] = chunk[i + c];
            bool truncated = total >= limit && (info.Frames > total || sf_readf_float(file, block, 1) > 0);
            return new AudioData(info.SampleRate, channels)
            {
                SourceSeconds = truncated ? Math.Max(info.Frames, total) / (double)info.SampleRate : null,
            };
        }
        finally
        {
            sf_close(file);
        }
    }

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr sf_open(string path, int mode, ref Info info);

    [LibraryImport(Library)]
    private static partial long sf_readf_float(IntPtr file, [Out] float[] buffer, long frames);

    [LibraryImport(Library)]
    private static partial int sf_close(IntPtr file);
}
