namespace Oneshot.Statistics;

/// <summary>How many latent dimensions the encoder uses: a dimension whose posterior mean never moves carries
/// nothing.</summary>
public static class LatentActivity
{
    /// <summary>Counts dimensions whose mean varies across clips by more than 0.01 (variance).</summary>
    public static int ActiveUnits(IReadOnlyList<float[]> means)
    {
        if (means.Count < 2) return 0;
        int size = means[0].Length, active = 0;
        for (int d = 0; d < size; d++)
        {
            double average = means.Average(m => (double)m[d]);
            double variance = means.Sum(m => (m[d] - average) * (m[d] - average)) / (means.Count - 1);
            if (variance > 0.01) active++;
        }
        return active;
    }
}
