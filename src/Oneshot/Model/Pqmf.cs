using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Model;

/// <summary>
/// Pseudo-quadrature mirror filter bank: splits a waveform into M critically sampled bands and
/// puts them back together with near-perfect reconstruction. The prototype is a Kaiser-windowed
/// sinc whose length and β come from the Kaiser formulas for the wanted stopband attenuation; its
/// cutoff is tuned so that the prototype convolved with itself is close to a Nyquist(2M) filter
/// (zero at every non-zero multiple of 2M), which is what cancels the aliasing between bands.
/// Analysis is a stride-M correlation with the cosine-modulated filters and synthesis the matching
/// transposed convolution, so the pair is (near) paraunitary and needs no delay compensation.
/// Synthesis runs in polyphase form — one M→M convolution with ⌈L/M⌉ taps, then the M phases
/// interleaved — which computes the same sum as the transposed convolution several times faster.
/// </summary>
public sealed class Pqmf : nn.Module
{
    readonly int _bands;
    readonly int _taps;
    readonly Tensor? _filters;   // [M, 1, L]
    readonly Tensor? _synthesis; // [M phases, M bands, J]: polyphase parts of M·h_k, time-reversed
    readonly int _phaseTaps;     // J = ⌈L/M⌉

    public Pqmf(int bands, double attenuationDb) : base(nameof(Pqmf))
    {
        _bands = bands;
        if (bands > 1)
        {
            double[,] bank = DesignBank(bands, attenuationDb);
            _taps = bank.GetLength(1);
            var flat = new float[bands * _taps];
            for (int k = 0; k < bands; k++)
                for (int t = 0; t < _taps; t++) flat[k * _taps + t] = (float)bank[k, t];
            _filters = tensor(flat, [bands, 1, _taps]);
            register_buffer("filters", _filters, persistent: false);
            // Output sample qM + p of the transposed convolution is Σ_k Σ_j x_k[q − j]·M·h_k[jM + p].
            _phaseTaps = (_taps + bands - 1) / bands;
            var polyphase = new float[bands * bands * _phaseTaps];
            for (int p = 0; p < bands; p++)
                for (int k = 0; k < bands; k++)
                    for (int j = 0; j < _phaseTaps; j++)
                    {
                        int t = j * bands + p;
                        if (t < _taps)
                            polyphase[(p * bands + k) * _phaseTaps + (_phaseTaps - 1 - j)] =
                                (float)(bands * bank[k, t]);
                    }
            _synthesis = tensor(polyphase, [bands, bands, _phaseTaps]);
            register_buffer("synthesis", _synthesis, persistent: false);
        }
    }

    public int Bands => _bands;
    public int Taps => _taps;

    /// <summary>The polyphase synthesis filters [M phases, M bands, J] (null with one band), for a decoder outside
    /// libtorch.</summary>
    internal Tensor? SynthesisFilters => _synthesis;

    /// <summary>[B, T] → [B, M, T/M]; T must be a multiple of M.</summary>
    public Tensor Analysis(Tensor x)
    {
        if (_bands == 1) return x.unsqueeze(1);
        if (x.shape[^1] % _bands != 0)
            throw new ArgumentException($"PQMF analysis needs a length divisible by {_bands}, got {x.shape[^1]}");
        int half = (_taps - 1) / 2;
        var padded = nn.functional.pad(x.unsqueeze(1), [half, half]);
        return nn.functional.conv1d(padded, _filters!, stride: _bands);
    }

    /// <summary>[B, M, T/M] → [B, T].</summary>
    public Tensor Synthesis(Tensor bands)
    {
        if (_bands == 1) return bands.squeeze(1);
        long batch = bands.shape[0], length = bands.shape[^1] * _bands;
        int half = (_taps - 1) / 2;
        var padded = nn.functional.pad(bands, [_phaseTaps - 1, _phaseTaps - 1]);
        var phases = nn.functional.conv1d(padded, _synthesis!);                 // [B, M, T/M + J − 1]
        return phases.transpose(1, 2).reshape(batch, -1).narrow(-1, half, length);
    }

    /// <summary>The same synthesis as a transposed convolution (the textbook form; kept to check the polyphase
    /// one).</summary>
    public Tensor SynthesisByTransposedConvolution(Tensor bands)
    {
        if (_bands == 1) return bands.squeeze(1);
        long length = bands.shape[^1] * _bands;
        int half = (_taps - 1) / 2;
        var full = nn.functional.conv_transpose1d(bands, _filters!.Times(_bands), stride: _bands);
        return full.narrow(-1, half, length).squeeze(1);
    }

    /// <summary>The M analysis filters, each of odd length L: [M, L].</summary>
    public static double[,] DesignBank(int bands, double attenuationDb)
    {
        double[] prototype = DesignPrototype(bands, attenuationDb);
        int taps = prototype.Length;
        double centre = (taps - 1) / 2.0;
        var bank = new double[bands, taps];
        for (int k = 0; k < bands; k++)
        {
            double phase = (k % 2 == 0 ? 1 : -1) * Math.PI / 4;
            for (int t = 0; t < taps; t++)
                bank[k, t] = 2 * prototype[t] * Math.Cos((2 * k + 1) * Math.PI / (2 * bands) * (t - centre) + phase);
        }
        return bank;
    }

    /// <summary>The lowpass prototype with its cutoff tuned for aliasing cancellation.</summary>
    public static double[] DesignPrototype(int bands, double attenuationDb)
    {
        double nominal = Math.PI / (2 * bands);
        // Kaiser's formulas: β for the attenuation, length for a transition as wide as the cutoff.
        double beta = attenuationDb > 50 ? 0.1102 * (attenuationDb - 8.7)
            : attenuationDb >= 21 ? 0.5842 * Math.Pow(attenuationDb - 21, 0.4) + 0.07886 * (attenuationDb - 21) : 0;
        int taps = (int)Math.Ceiling((attenuationDb - 7.95) / (2.285 * nominal)) + 1;
        if (taps % 2 == 0) taps++;

        double Objective(double cutoff) => NyquistDeviation(Prototype(cutoff, taps, beta), bands);
        // Coarse scan, then golden-section search around the best point.
        double best = nominal, bestValue = double.MaxValue;
        for (double c = 0.6 * nominal; c <= 1.4 * nominal; c += 0.005 * nominal)
        {
            double value = Objective(c);
            if (value < bestValue) { bestValue = value; best = c; }
        }
        double lo = best - 0.005 * nominal, hi = best + 0.005 * nominal;
        double golden = (Math.Sqrt(5) - 1) / 2;
        double a = hi - golden * (hi - lo), b = lo + golden * (hi - lo);
        double fa = Objective(a), fb = Objective(b);
        for (int i = 0; i < 60; i++)
        {
            if (fa < fb) { hi = b; b = a; fb = fa; a = hi - golden * (hi - lo); fa = Objective(a); }
            else { lo = a; a = b; fa = fb; b = lo + golden * (hi - lo); fb = Objective(b); }
        }
        return Prototype((lo + hi) / 2, taps, beta);
    }

    static double[] Prototype(double cutoff, int taps, double beta)
    {
        var h = new double[taps];
        double centre = (taps - 1) / 2.0;
        double i0Beta = BesselI0(beta);
        for (int t = 0; t < taps; t++)
        {
            double n = t - centre;
            double sinc = n == 0 ? cutoff / Math.PI : Math.Sin(cutoff * n) / (Math.PI * n);
            double r = n / centre;
            h[t] = sinc * BesselI0(beta * Math.Sqrt(Math.Max(0, 1 - r * r))) / i0Beta;
        }
        return h;
    }

    /// <summary>Largest |(h∗h)[centre + 2M·n]|, n ≠ 0, relative to the centre value.</summary>
    static double NyquistDeviation(double[] h, int bands)
    {
        int taps = h.Length, centre = taps - 1;
        double At(int lag)
        {
            double sum = 0;
            for (int t = Math.Max(0, lag - (taps - 1)); t <= Math.Min(taps - 1, lag); t++) sum += h[t] * h[lag - t];
            return sum;
        }
        double peak = At(centre), worst = 0;
        for (int lag = centre + 2 * bands; lag <= 2 * (taps - 1); lag += 2 * bands)
            worst = Math.Max(worst, Math.Abs(At(lag)));
        return worst / peak;
    }

    static double BesselI0(double x)
    {
        double sum = 1, term = 1, half = x / 2;
        for (int k = 1; k < 200; k++)
        {
            term *= half / k * (half / k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }
}
