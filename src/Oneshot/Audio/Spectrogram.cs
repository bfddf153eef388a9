using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Audio;

/// <summary>A log-magnitude spectrogram picture (n_fft 1024, 80 dB range, low frequencies at the bottom) as PNG.</summary>
public sealed record Spectrogram(byte[] Png, int Width, int Height)
{
    public static Spectrogram Of(float[] audio)
    {
        using var scope = NewDisposeScope();
        const int fftSize = 1024;
        var magnitude = stft(tensor(audio), fftSize, fftSize / 4, fftSize, hann_window(fftSize), center: true, return_complex: true).abs();
        var db = magnitude.Plus(1e-7).log10().Times(20);
        var normalised = (db - db.max().Minus(80)).DividedBy(80).clamp(Scalars.Of(0), Scalars.One).flip(0).contiguous(); // [bins, frames]
        int height = (int)normalised.shape[0], width = (int)normalised.shape[1];
        return new Spectrogram(Storage.Png.Encode(Storage.Png.Heatmap(normalised.data<float>().ToArray(), width, height), width, height), width, height);
    }
}
