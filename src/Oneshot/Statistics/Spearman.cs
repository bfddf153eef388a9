namespace Oneshot.Statistics;

/// <summary>Spearman's rank correlation.</summary>
public static class Spearman
{
    /// <summary>ρ: Pearson's correlation of the ranks, with average ranks for ties (0 when either side is constant).</summary>
    public static double Rho(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double[] rx = Ranks(x), ry = Ranks(y);
        double mx = rx.Average(), my = ry.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < rx.Length; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : 0;
    }

    static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            for (int k = start; k <= end; k++) ranks[order[k]] = (start + end) / 2.0;
            start = end + 1;
        }
        return ranks;
    }
}
