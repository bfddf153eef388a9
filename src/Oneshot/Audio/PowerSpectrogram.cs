using Oneshot.TorchInterop;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Audio;

/// <summary>|STFT|² with a centred, reflect-padded window: what every mel front end of the evaluation starts
/// from.</summary>
public static class PowerSpectrogram
{
    /// <returns>[…, fftSize/2 + 1, frames] for [..., T] input.</returns>
    public static Tensor Of(Tensor x, int fftSize, int hop, Tensor window) =>
        stft(x, fftSize, hop, fftSize, window, center: true, pad_mode: PaddingModes.Reflect, return_complex: true).abs()
            .Squared();
}
