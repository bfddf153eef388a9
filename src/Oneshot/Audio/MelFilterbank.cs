namespace Oneshot.Audio;

/// <summary>
/// Triangular mel filters on the Slaney mel scale (linear below 1 kHz, logarithmic above), with
/// Slaney area normalisation (each filter scaled by 2 / bandwidth in Hz) — librosa's defaults.
/// </summary>
public static class MelFilterbank
{
    const double LinearStep = 200.0 / 3;     // Hz per mel below 1 kHz
    const double BreakHz = 1000;
    const double BreakMel = BreakHz / LinearStep;
    static readonly double LogStep = Math.Log(6.4) / 27;

    public static double HzToMel(double hz) => hz < BreakHz ? hz / LinearStep
        : BreakMel + Math.Log(hz / BreakHz) / LogStep;
    public static double MelToHz(double mel) => mel < BreakMel ? mel * LinearStep
        : BreakHz * Math.Exp(LogStep * (mel - BreakMel));

    /// <returns>[mels, fftSize/2 + 1] weights, row after row.</returns>
    public static float[] Create(int sampleRate, int fftSize, int mels, double lowHz, double highHz)
    {
        int bins = fftSize / 2 + 1;
        double low = HzToMel(lowHz), high = HzToMel(highHz);
        var edges = Enumerable.Range(0, mels + 2).Select(i => MelToHz(low + (high - low) * i / (mels + 1))).ToArray();
        var weights = new float[mels * bins];
        for (int m = 0; m < mels; m++)
        {
            double left = edges[m], centre = edges[m + 1], right = edges[m + 2];
            double norm = 2 / (right - left);
            for (int k = 0; k < bins; k++)
            {
                double hz = (double)k * sampleRate / fftSize;
                double rising = (hz - left) / (centre - left), falling = (right - hz) / (right - centre);
                weights[m * bins + k] = (float)(Math.Max(0, Math.Min(rising, falling)) * norm);
            }
        }
        return weights;
    }
}
