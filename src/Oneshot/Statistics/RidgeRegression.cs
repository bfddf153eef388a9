namespace Oneshot.Statistics;

/// <summary>A linear prediction y ≈ w·(x − mean) + intercept, fitted by <see cref="RidgeRegression"/>.</summary>
/// <param name="Weights">w, one per input dimension.</param>
/// <param name="Mean">The inputs' mean, subtracted before the weights apply.</param>
/// <param name="Intercept">The outputs' mean: the prediction at the inputs' mean.</param>
/// <param name="Penalty">The ridge penalty λ the cross-validation chose.</param>
public sealed record LinearFit(double[] Weights, double[] Mean, double Intercept, double Penalty)
{
    public double Predict(IReadOnlyList<double> x)
    {
        double y = Intercept;
        for (int d = 0; d < Weights.Length; d++) y += Weights[d] * (x[d] - Mean[d]);
        return y;
    }

    /// <summary>Coefficient of determination on these points: 1 − residual / total sum of squares (can be negative on
    /// new points).</summary>
    public double RSquared(IReadOnlyList<double[]> x, IReadOnlyList<double> y)
    {
        double mean = y.Average(), residual = 0, total = 0;
        for (int i = 0; i < y.Count; i++)
        {
            double error = y[i] - Predict(x[i]);
            residual += error * error;
            total += (y[i] - mean) * (y[i] - mean);
        }
        return total > 0 ? 1 - residual / total : 0;
    }
}

/// <summary>
/// Ridge regression: minimises Σ (y − w·(x − x̄) − ȳ)² + λ‖w‖², with λ chosen by k-fold
/// cross-validation from a grid scaled to the inputs' variance, so the same grid suits latents of
/// any spread. Solved by Cholesky on the d×d normal equations (d is a latent size, at most a few hundred).
/// </summary>
public static class RidgeRegression
{
    /// <summary>λ as a share of the mean input variance times the number of points (the diagonal's mean).</summary>
    static readonly double[] RelativePenalties = [1e-4, 1e-3, 1e-2, 1e-1, 1];

    public static LinearFit Fit(IReadOnlyList<double[]> x, IReadOnlyList<double> y, int folds = 5)
    {
        if (x.Count != y.Count) throw new ArgumentException("One output per input is needed.");
        if (x.Count < 2) throw new ArgumentException("At least two points are needed to fit a direction.");
        double scale = MeanDiagonal(x);
        double best = RelativePenalties[0], bestError = double.PositiveInfinity;
        if (x.Count >= 2 * folds)
        {
            foreach (double relative in RelativePenalties)
            {
                double error = 0;
                for (int fold = 0; fold < folds; fold++)
                {
                    var trainAt = Enumerable.Range(0, x.Count).Where(i => i % folds != fold).ToArray();
                    var fit = FitWith(trainAt.Select(i => x[i]).ToList(), trainAt.Select(i => y[i]).ToList(),
                        relative * scale * trainAt.Length / x.Count);
                    for (int i = fold; i < x.Count; i += folds)
                    {
                        double e = y[i] - fit.Predict(x[i]);
                        error += e * e;
                    }
                }
                if (error < bestError) (best, bestError) = (relative, error);
            }
        }
        return FitWith(x, y, best * scale);
    }

    /// <summary>The fit with a given λ.</summary>
    public static LinearFit FitWith(IReadOnlyList<double[]> x, IReadOnlyList<double> y, double penalty)
    {
        int n = x.Count, d = x[0].Length;
        var mean = new double[d];
        foreach (var row in x) for (int j = 0; j < d; j++) mean[j] += row[j] / n;
        double yMean = y.Average();
        var gram = new double[d, d];
        var right = new double[d];
        var centred = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) centred[j] = x[i][j] - mean[j];
            double target = y[i] - yMean;
            for (int j = 0; j < d; j++)
            {
                right[j] += centred[j] * target;
                for (int k = 0; k <= j; k++) gram[j, k] += centred[j] * centred[k];
            }
        }
        // A tiny floor keeps the system positive definite when λ is 0 and a dimension never moves.
        double floor = 1e-12 * Math.Max(1, Enumerable.Range(0, d).Max(j => gram[j, j]));
        for (int j = 0; j < d; j++) gram[j, j] += penalty + floor;
        return new LinearFit(SolveCholesky(gram, right), mean, yMean, penalty);
    }

    static double MeanDiagonal(IReadOnlyList<double[]> x)
    {
        int n = x.Count, d = x[0].Length;
        double total = 0;
        for (int j = 0; j < d; j++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += x[i][j] / n;
            for (int i = 0; i < n; i++) total += (x[i][j] - mean) * (x[i][j] - mean);
        }
        return Math.Max(total / d, 1e-12);
    }

    /// <summary>Solves A w = b for symmetric positive definite A, of which only the lower triangle is read.</summary>
    internal static double[] SolveCholesky(double[,] a, double[] b)
    {
        int d = b.Length;
        var l = new double[d, d];
        for (int j = 0; j < d; j++)
        {
            double diagonal = a[j, j];
            for (int k = 0; k < j; k++) diagonal -= l[j, k] * l[j, k];
            l[j, j] = Math.Sqrt(Math.Max(diagonal, 1e-300));
            for (int i = j + 1; i < d; i++)
            {
                double sum = a[i, j];
                for (int k = 0; k < j; k++) sum -= l[i, k] * l[j, k];
                l[i, j] = sum / l[j, j];
            }
        }
        var forward = new double[d];
        for (int i = 0; i < d; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++) sum -= l[i, k] * forward[k];
            forward[i] = sum / l[i, i];
        }
        var w = new double[d];
        for (int i = d - 1; i >= 0; i--)
        {
            double sum = forward[i];
            for (int k = i + 1; k < d; k++) sum -= l[k, i] * w[k];
            w[i] = sum / l[i, i];
        }
        return w;
    }
}
