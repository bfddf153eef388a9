using Oneshot.Audio;
using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Evaluation;

/// <summary>
/// The input LAION-CLAP's audio encoder (HTSAT, unfused) was trained on: mono at 48 kHz,
/// repeat-padded to 10 s (the clip repeated as many whole times as fit, then zeros), a centred
/// reflect-padded STFT (n_fft 1024, hop 480, periodic Hann), power, 64 Slaney mel bands from 50 Hz
/// to 14 kHz with Slaney area normalisation, 10·log10(max(x, 1e-10)) with no top-dB clip;
/// [batch, 1, 1001 frames, 64 bands]. Clips over 10 s keep their first 10 s (CLAP's training crops
/// at random; a fixed crop keeps evaluation repeatable).
/// </summary>
public sealed class ClapFrontEnd : IDisposable
{
    public const int SampleRate = 48000;
    public const int Length = 480000;
    public const int FftSize = 1024;
    public const int Hop = 480;
    public const int Mels = 64;
    public const int Frames = Length / Hop + 1;
    readonly Tensor _filters;
    readonly Tensor _window;

    public ClapFrontEnd()
    {
        _filters = tensor(MelFilterbank.Create(SampleRate, FftSize, Mels, 50, 14000), [Mels, FftSize / 2 + 1])
            .DetachFromDisposeScope();
        _window = hann_window(FftSize).DetachFromDisposeScope();
    }

    /// <summary>10 s at 48 kHz: the clip repeated ⌊480000 / length⌋ times, then zeros (or its first 10 s).</summary>
    public static float[] RepeatPad(float[] clip)
    {
        var output = new float[Length];
        if (clip.Length == 0) return output;
        if (clip.Length >= Length)
        {
            Array.Copy(clip, output, Length);
            return output;
        }
        int repeats = Length / clip.Length;
        for (int r = 0; r < repeats; r++) clip.CopyTo(output, r * clip.Length);
        return output;
    }

    /// <returns>float32 [clips, 1, 1001, 64].</returns>
    public Tensor Features(IReadOnlyList<float[]> clips, int sampleRate)
    {
        var padded =
            clips.Select(c => RepeatPad(sampleRate == SampleRate ? c : Resampler.Resample(c, sampleRate, SampleRate)))
            .ToArray();
        using var scope = NewDisposeScope();
        var waves = stack(padded.Select(p => tensor(p)).ToArray());
        var power = PowerSpectrogram.Of(waves, FftSize, Hop, _window);
        var mel = _filters.matmul(power).ClampMin(1e-10).log10().Times(10);            // [clips, mels, frames]
        return mel.transpose(1, 2).unsqueeze(1).contiguous().MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _filters.Dispose();
        _window.Dispose();
    }
}
