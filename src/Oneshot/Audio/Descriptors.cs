namespace Oneshot.Audio;

/// <summary>Perceptual descriptors of one clip, used for labels, disentanglement and reports.</summary>
/// <param name="LoudnessLufs">BS.1770 integrated loudness (floored at −120).</param>
/// <param name="PeakDb">Sample peak in dBFS (floored at −120).</param>
/// <param name="SpectralCentroidHz">Energy-weighted mean of the per-frame magnitude centroids.</param>
/// <param name="SpectralFlatness">Energy-weighted mean of per-frame geometric/arithmetic mean of the power spectrum: ≈0
/// tonal, ≈0.56 white noise.</param>
/// <param name="AttackSeconds">Envelope rise from 10 % to 90 % of its peak.</param>
/// <param name="DecaySeconds">From the envelope peak until it last exceeds 10 % (−20 dB) of the peak.</param>
/// <param name="F0Hz">Median YIN fundamental over the loud frames (0 when none).</param>
/// <param name="F0Confidence">1 − median YIN aperiodicity over those frames, in [0, 1]: near 1 for a clear
/// pitch.</param>
public sealed record ClipDescriptors(
    double LoudnessLufs, double PeakDb, double SpectralCentroidHz, double SpectralFlatness,
    double AttackSeconds, double DecaySeconds, double F0Hz, double F0Confidence);

public static class Descriptors
{
    /// <summary>The f0 confidence from which a clip counts as pitched (its f0 is then trusted).</summary>
    public const double PitchedConfidence = 0.3;
    const double Floor = -120;
    const int FrameSize = 2048;
    const int FrameHop = 512;
    const double EnvelopeWindowSeconds = 0.005;
    const double EnvelopeHopSeconds = 0.001;
    const int PitchRate = 16000;
    const double MinF0 = 40, MaxF0 = 2000;
    const int PitchWindow = 1024;
    const double YinThreshold = 0.15;

    public static ClipDescriptors Compute(float[] x, int sampleRate)
    {
        double loudness = Math.Max(Floor, Loudness.IntegratedLufs(x, sampleRate));
        double peak = Math.Max(Floor, Loudness.PeakDb(x));
        var (centroid, flatness) = Spectral(x, sampleRate);
        var (attack, decay) = Envelope(x, sampleRate);
        var (f0, confidence) = Pitch(x, sampleRate);
        return new ClipDescriptors(loudness, peak, centroid, flatness, attack, decay, f0, confidence);
    }

    public static (double CentroidHz, double Flatness) Spectral(float[] x, int sampleRate)
    {
        var window = Fft.Hann(FrameSize);
        var frame = new double[FrameSize];
        var frames = new List<(double Energy, double Centroid, double Flatness)>();
        for (int start = 0; start < Math.Max(1, x.Length - FrameSize + FrameHop); start += FrameHop)
        {
            for (int i = 0; i < FrameSize; i++)
            {
                int index = start + i;
                frame[i] = index < x.Length ? x[index] * window[i] : 0;
            }
            var power = Fft.PowerSpectrum(frame);
            double energy = 0, weighted = 0, magnitudeSum = 0, logSum = 0;
            for (int k = 1; k < power.Length; k++)
            {
                double magnitude = Math.Sqrt(power[k]);
                energy += power[k];
                magnitudeSum += magnitude;
                weighted += magnitude * k * sampleRate / (double)FrameSize;
                logSum += Math.Log(power[k] + 1e-20);
            }
            if (energy <= 0) continue;
            int bins = power.Length - 1;
            double flatness = Math.Exp(logSum / bins) / (energy / bins);
            frames.Add((energy, weighted / magnitudeSum, flatness));
        }
        if (frames.Count == 0) return (0, 0);
        double loudest = frames.Max(f => f.Energy);
        var loud = frames.Where(f => f.Energy >= loudest * 1e-6).ToList();   // within 60 dB of the loudest frame
        double total = loud.Sum(f => f.Energy);
        return (loud.Sum(f => f.Energy * f.Centroid) / total, loud.Sum(f => f.Energy * f.Flatness) / total);
    }

    /// <summary>RMS envelope (5 ms window, 1 ms hop) → attack and decay times in seconds.</summary>
    public static (double AttackSeconds, double DecaySeconds) Envelope(float[] x, int sampleRate)
    {
        int window = Math.Max(1, (int)(EnvelopeWindowSeconds * sampleRate));
        int hop = Math.Max(1, (int)(EnvelopeHopSeconds * sampleRate));
        var envelope = new List<double>();
        for (int start = 0; start + window <= x.Length; start += hop)
        {
            double sum = 0;
            for (int i = start; i < start + window; i++) sum += x[i] * (double)x[i];
            envelope.Add(Math.Sqrt(sum / window));
        }
        if (envelope.Count == 0) return (0, 0);
        int peakIndex = 0;
        for (int i = 1; i < envelope.Count; i++) if (envelope[i] > envelope[peakIndex]) peakIndex = i;
        double peak = envelope[peakIndex];
        if (peak <= 0) return (0, 0);

        int rise10 = 0, rise90 = peakIndex;
        for (int i = 0; i <= peakIndex; i++) if (envelope[i] >= 0.1 * peak) { rise10 = i; break; }
        for (int i = rise10; i <= peakIndex; i++) if (envelope[i] >= 0.9 * peak) { rise90 = i; break; }
        int lastAbove = peakIndex;
        for (int i = envelope.Count - 1; i > peakIndex; i--) if (envelope[i] >= 0.1 * peak) { lastAbove = i; break; }
        double secondsPerHop = (double)hop / sampleRate;
        return ((rise90 - rise10) * secondsPerHop, (lastAbove - peakIndex) * secondsPerHop);
    }

    /// <summary>YIN (de Cheveigné &amp; Kawahara 2002) on the signal resampled to 16 kHz.</summary>
    public static (double F0Hz, double Confidence) Pitch(float[] x, int sampleRate)
    {
        var y = sampleRate == PitchRate ? x : Resampler.Resample(x, sampleRate, PitchRate);
        int tauMin = (int)(PitchRate / MaxF0), tauMax = (int)(PitchRate / MinF0);
        int hop = PitchWindow / 2;
        var frames = new List<(double Energy, double F0, double Aperiodicity)>();
        var difference = new double[tauMax + 2];
        var normalised = new double[tauMax + 2];
        for (int start = 0; start + PitchWindow + tauMax + 1 <= y.Length; start += hop)
        {
            double energy = 0;
            for (int j = 0; j < PitchWindow; j++) energy += y[start + j] * (double)y[start + j];
            if (energy <= 0) continue;
            for (int tau = 1; tau <= tauMax + 1; tau++)
            {
                double sum = 0;
                for (int j = 0; j < PitchWindow; j++)
                {
                    double delta = y[start + j] - (double)y[start + j + tau];
                    sum += delta * delta;
                }
                difference[tau] = sum;
            }
            // Cumulative mean normalised difference d'(τ).
            normalised[0] = 1;
            double running = 0;
            for (int tau = 1; tau <= tauMax + 1; tau++)
            {
                running += difference[tau];
                normalised[tau] = running > 0 ? difference[tau] * tau / running : 1;
            }
            int best = -1;
            for (int tau = tauMin; tau <= tauMax; tau++)
            {
                if (normalised[tau] < YinThreshold)
                {
                    while (tau + 1 <= tauMax && normalised[tau + 1] < normalised[tau]) tau++;
                    best = tau;
                    break;
                }
            }
            if (best < 0)
            {
                best = tauMin;
                for (int tau = tauMin; tau <= tauMax; tau++) if (normalised[tau] < normalised[best]) best = tau;
            }
            // Parabolic interpolation around the minimum for sub-sample lag.
            double shift = 0;
            if (best > 1 && best < tauMax + 1)
            {
                double a = normalised[best - 1], b = normalised[best], c = normalised[best + 1];
                double denominator = a - 2 * b + c;
                if (denominator > 0) shift = Math.Clamp(0.5 * (a - c) / denominator, -0.5, 0.5);
            }
            frames.Add((energy, PitchRate / (best + shift), Math.Clamp(normalised[best], 0, 1)));
        }
        if (frames.Count == 0) return (0, 0);
        double loudest = frames.Max(f => f.Energy);
        var loud = frames.Where(f => f.Energy >= loudest * 1e-3).ToList();   // within 30 dB
        double aperiodicity = Median(loud.Select(f => f.Aperiodicity));
        var voiced = loud.Where(f => f.Aperiodicity < YinThreshold * 2).Select(f => f.F0).ToList();
        double f0 = voiced.Count > 0 ? Median(voiced) : Median(loud.Select(f => f.F0));
        return (f0, 1 - aperiodicity);
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return 0;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
    }
}
