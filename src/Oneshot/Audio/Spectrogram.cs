using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Audio;

/// <summary>A log-magnitude spectrogram picture (n_fft 1024, 80 dB range, low frequencies at the bottom) as
/// PNG.</summary>
public sealed record Spectrogram(byte[] Png, int Width, int Height)
{
    const int FftSize = 1024;
    const double RangeDb = 80;

    public static Spectrogram Of(float[] audio) => Strip([audio]);

    /// <summary>
    /// Clips side by side, a bright bar between them, on one shared scale (80 dB below the loudest bin
    /// of any), so a change from picture to picture is a change in the sound.
    /// </summary>
    public static Spectrogram Strip(IReadOnlyList<float[]> clips, int gap = 6)
    {
        using var scope = NewDisposeScope();
        var decibels = clips.Select(audio =>
            stft(tensor(audio), FftSize, FftSize / 4, FftSize, hann_window(FftSize), center: true, return_complex: true)
                // [bins, frames]
                .abs().Plus(1e-7).log10().Times(20).flip(0)).ToList();
        double top = decibels.Max(db => db.max().item<float>());
        int height = (int)decibels[0].shape[0];
        int width = decibels.Sum(db => (int)db.shape[1]) + gap * (clips.Count - 1);
        var values = new float[width * height];
        Array.Fill(values, 1f);
        int left = 0;
        foreach (var db in decibels)
        {
            int frames = (int)db.shape[1];
            float[] picture = db.Minus(top - RangeDb).DividedBy(RangeDb).clamp(Scalars.Of(0), Scalars.One).contiguous()
                .data<float>().ToArray();
            for (int row = 0; row < height; row++)
                Array.Copy(picture, row * frames, values, row * width + left, frames);
            left += frames + gap;
        }
        return new Spectrogram(Storage.Png.Encode(Storage.Png.Heatmap(values, width, height), width, height), width,
            height);
    }
}
