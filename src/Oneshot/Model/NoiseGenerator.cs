using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>
/// RAVE v1's filtered-noise branch: per band and frame, a magnitude response (sigmoid, biased
/// towards silence at the start) becomes a zero-phase, Hann-windowed impulse response that filters
/// uniform noise by FFT convolution.
/// </summary>
public sealed class NoiseGenerator : nn.Module<Tensor, Generator?, Tensor>
{
    readonly WeightNormConv downsample;
    readonly WeightNormConv amplitudes;
    readonly Tensor window;
    readonly ModelConfig _config;

    public NoiseGenerator(ModelConfig config) : base(nameof(NoiseGenerator))
    {
        _config = config;
        int frame = config.NoiseFrameLength;
        downsample = new WeightNormConv(config.Capacity, config.Capacity, frame, stride: frame);
        amplitudes = new WeightNormConv(config.Capacity, config.Bands * (frame / 2 + 1), 1);
        window = hann_window(frame, periodic: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor features, Generator? generator)
    {
        int frame = _config.NoiseFrameLength, bins = frame / 2 + 1;
        long batch = features.shape[0];
        var h = downsample.forward(features).LeakyRelu(_config.LeakySlope);
        long frames = h.shape[^1];
        var magnitude = nn.functional.sigmoid(amplitudes.forward(h).Minus(5))     // [B, M·bins, F]
            .view(batch, _config.Bands, bins, frames).transpose(2, 3);        // [B, M, F, bins]
        var impulse = fft.irfft(magnitude.to_type(ScalarType.ComplexFloat32), frame); // zero-phase, centred at 0
        impulse = impulse.roll(frame / 2, -1) * window;
        var white = rand([batch, _config.Bands, frames, frame], generator: generator, device: features.device).Times(2)
            .Minus(1);
        var filtered = fft.irfft(fft.rfft(white, 2 * frame) * fft.rfft(impulse, 2 * frame), 2 * frame);
        // Keep the part aligned with the impulse response's centre.
        return filtered.narrow(-1, frame / 2, frame).reshape(batch, _config.Bands, frames * frame);
    }
}
