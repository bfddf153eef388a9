using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>
/// Damped modes for the partials a convolutional decoder blurs into noise (bells, bars, toms): from
/// z, a small network sets K sinusoids, each decaying exponentially, summed into one waveform the
/// model adds to its decoder's output.
/// </summary>
/// <remarks>
/// Mode k lives in its own fixed band of a log-spaced grid between <see cref="ModelConfig.ModeMinHz"/>
/// and <see cref="ModelConfig.ModeMaxHz"/>: its frequency is the band's lower edge times the band's
/// width ratio to the power of a sigmoid, so modes never cross and none is found by gradient descent
/// over all frequencies, which is known to stall (Hayes et al. 2023). Inside its band a mode seldom
/// moves far either, so bands should be a semitone or narrower (12 modes per octave): then the mode
/// whose band holds a partial is within a quarter-tone of it where it starts. Amplitudes start near zero, so
/// a model gains the branch without its sound changing at first.
///
/// Cost: a mode is a·Im e^(ct) with c = −1/τ + 2πif. Splitting t into blocks of L samples,
/// e^(c(mL + l)) = e^(cmL)·e^(cl), so the sum over modes is two batched matrix products of
/// [blocks × K] by [K × L] instead of K sines and exponentials at every sample: on the cpu preset
/// a naive version made decoding three times slower. A pitch glide (a tom's drop) would break
/// that factorisation and is left out.
/// </remarks>
public sealed class ModeBranch : nn.Module<Tensor, Tensor>
{
    const double ShortestDecay = 0.01, LongestDecay = 4;
    readonly TorchSharp.Modules.Linear hidden, output;
    readonly Tensor _lowerEdges, _bandRatios, _blockStarts, _offsets;
    readonly int _modes, _blockLength, _length;

    public ModeBranch(ModelConfig config) : base(nameof(ModeBranch))
    {
        _modes = config.Modes;
        hidden = nn.Linear(config.LatentSize, config.ModeHidden);
        output = nn.Linear(config.ModeHidden, 3 * _modes);   // per mode: amplitude, decay, place in its band
        using (no_grad())
        {
            // Quiet at the start: small weights, and amplitudes far down the softplus.
            output.weight!.mul_(Scalars.Of(0.1));
            output.bias!.zero_();
            output.bias!.narrow(0, 0, _modes).fill_(Scalars.Of(-7));
        }
        double ratio = Math.Pow(config.ModeMaxHz / config.ModeMinHz, 1.0 / _modes);
        _lowerEdges = tensor(Enumerable.Range(0, _modes).Select(k => (float)(config.ModeMinHz * Math.Pow(ratio, k)))
            .ToArray()).reshape(1, _modes, 1).DetachFromDisposeScope();
        _bandRatios = tensor((float)ratio).DetachFromDisposeScope();
        _length = config.PaddedLength;
        _blockLength = 256;
        while (_length % _blockLength != 0) _blockLength /= 2;
        int blocks = _length / _blockLength;
        _blockStarts =
            tensor(Enumerable.Range(0, blocks).Select(m => (float)((double)m * _blockLength / config.SampleRate))
            .ToArray()).reshape(1, 1, -1).DetachFromDisposeScope();
        _offsets = tensor(Enumerable.Range(0, _blockLength).Select(l => (float)((double)l / config.SampleRate))
            .ToArray()).reshape(1, 1, -1).DetachFromDisposeScope();
        RegisterComponents();
    }

    /// <summary>The modes for latents z [B, N]: frequencies (Hz), decay times (s) and amplitudes, each [B,
    /// K].</summary>
    public (Tensor Frequencies, Tensor Decays, Tensor Amplitudes) Parameters(Tensor z)
    {
        var h = output.forward(hidden.forward(z).LeakyRelu(0.2));
        var amplitude = h.narrow(1, 0, _modes).Softplus();
        var decay = LogBetween(h.narrow(1, _modes, _modes), ShortestDecay, LongestDecay);
        var frequency = _lowerEdges.to(z.device).squeeze(-1)
            .mul(_bandRatios.to(z.device).pow(h.narrow(1, 2 * _modes, _modes).sigmoid()));
        return (frequency, decay, amplitude);
    }

    /// <returns>[B, T] at the padded clip length: Σ_k a_k·e^(−t/τ_k)·sin(2πf_k·t).</returns>
    public override Tensor forward(Tensor z)
    {
        var (frequency, decay, amplitude) = Parameters(z);
        var rate = decay.reciprocal().neg().unsqueeze(-1);                          // [B, K, 1]: −1/τ
        var angular = frequency.unsqueeze(-1).Times(2 * Math.PI);                  // [B, K, 1]: 2πf
        var starts = _blockStarts.to(z.device);                                     // [1, 1, blocks]
        var offsets = _offsets.to(z.device);                                        // [1, 1, L]
        // a·e^(c·mL): each block's starting point of every mode; e^(c·l): one block's course.
        var startMagnitude = rate.mul(starts).exp().mul(amplitude.unsqueeze(-1));
        var startAngle = angular.mul(starts);
        var courseMagnitude = rate.mul(offsets).exp();
        var courseAngle = angular.mul(offsets);
        var startReal = startMagnitude.mul(startAngle.cos()).transpose(1, 2);      // [B, blocks, K]
        var startImaginary = startMagnitude.mul(startAngle.sin()).transpose(1, 2);
        var courseReal = courseMagnitude.mul(courseAngle.cos());                    // [B, K, L]
        var courseImaginary = courseMagnitude.mul(courseAngle.sin());
        // Im(s·e) = Re(s)·Im(e) + Im(s)·Re(e), summed over the modes by the products.
        var blocksOut = startReal.bmm(courseImaginary).Plus(startImaginary.bmm(courseReal));   // [B, blocks, L]
        return blocksOut.reshape(z.shape[0], _length);
    }

    /// <summary>A value between low and high, evenly spread in log space by a sigmoid.</summary>
    static Tensor LogBetween(Tensor logits, double low, double high) =>
        logits.sigmoid().Times(Math.Log(high / low)).Plus(Math.Log(low)).exp();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _lowerEdges.Dispose();
            _bandRatios.Dispose();
            _blockStarts.Dispose();
            _offsets.Dispose();
        }
        base.Dispose(disposing);
    }
}
