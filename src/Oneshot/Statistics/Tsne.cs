namespace Oneshot.Statistics;

/// <summary>
/// Exact t-SNE (van der Maaten &amp; Hinton 2008) to two dimensions: Gaussian neighbourhoods in the
/// input whose widths give each point the same perplexity (found by bisection), symmetrised;
/// Student-t neighbourhoods in the plane; gradient descent on the Kullback–Leibler divergence with
/// early exaggeration, momentum and per-coordinate gains. O(n²) time and memory (two n × n float
/// matrices: 200 MB at the limit of 5,000 points).
/// </summary>
public static class Tsne
{
    public const int MaximumPoints = 5_000;


    /// <param name="points">n rows of equal length.</param>
    /// <returns>n rows of (x, y), centred.</returns>
    /// <param name="threads">Cores to use (null: all); a server leaves one free so its requests are not starved.</param>
    public static double[][] Embed(IReadOnlyList<float[]> points, double perplexity = 30, int iterations = 500, int seed = 1, int? threads = null)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads ?? Environment.ProcessorCount) };
        int n = points.Count;
        if (n > MaximumPoints) throw new OneshotException($"t-SNE here is exact, O(n²): at most {MaximumPoints} points, got {n}.");
        if (n == 0) return [];
        if (n < 4) return [.. Enumerable.Range(0, n).Select(i => new[] { (double)i, 0.0 })];
        perplexity = Math.Min(perplexity, (n - 1) / 3.0);
        var p = Affinities(points, perplexity, parallel);

        var random = new Random(seed);
        var y = new double[n * 2];
        for (int i = 0; i < y.Length; i++) y[i] = 1e-4 * Gaussian(random);
        var velocity = new double[n * 2];
        var gains = Enumerable.Repeat(1.0, n * 2).ToArray();
        var gradient = new double[n * 2];
        var q = new float[n * n];
        double learningRate = Math.Max(n / 12.0, 50);   // n / exaggeration (Belkina et al. 2019), at least 50
        const int ExaggerationSteps = 250;

        for (int step = 0; step < iterations; step++)
        {
            double exaggeration = step < ExaggerationSteps ? 12 : 1;
            double momentum = step < ExaggerationSteps ? 0.5 : 0.8;
            // Student-t kernel in the plane, and its normaliser.
            double sum = 0;
            Parallel.For(0, n, parallel, i =>
            {
                double xi = y[2 * i], yi = y[2 * i + 1];
                for (int j = 0; j < n; j++)
                {
                    if (j == i) { q[i * n + j] = 0; continue; }
                    double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
                    q[i * n + j] = (float)(1 / (1 + dx * dx + dy * dy));
                }
            });
            for (int k = 0; k < q.Length; k++) sum += q[k];
            double inverseSum = 1 / Math.Max(sum, double.Epsilon);
            Parallel.For(0, n, parallel, i =>
            {
                double gx = 0, gy = 0, xi = y[2 * i], yi = y[2 * i + 1];
                for (int j = 0; j < n; j++)
                {
                    double kernel = q[i * n + j];
                    double force = (exaggeration * p[i * n + j] - kernel * inverseSum) * kernel;
                    gx += force * (xi - y[2 * j]);
                    gy += force * (yi - y[2 * j + 1]);
                }
                gradient[2 * i] = 4 * gx;
                gradient[2 * i + 1] = 4 * gy;
            });
            for (int k = 0; k < y.Length; k++)
            {
                gains[k] = Math.Sign(gradient[k]) != Math.Sign(velocity[k]) ? gains[k] + 0.2 : Math.Max(gains[k] * 0.8, 0.01);
                velocity[k] = momentum * velocity[k] - learningRate * gains[k] * gradient[k];
                y[k] += velocity[k];
            }
            Centre(y, n);
        }
        return [.. Enumerable.Range(0, n).Select(i => new[] { y[2 * i], y[2 * i + 1] })];
    }

    /// <summary>Symmetric input affinities p_ij = (p_j|i + p_i|j) / 2n, each row's width set to the perplexity.</summary>
    static float[] Affinities(IReadOnlyList<float[]> points, double perplexity, ParallelOptions parallel)
    {
        int n = points.Count;
        var distances = new float[n * n];
        Parallel.For(0, n, parallel, i =>
        {
            var a = points[i];
            for (int j = 0; j < n; j++)
            {
                var b = points[j];
                double d = 0;
                for (int k = 0; k < a.Length; k++) { double t = a[k] - b[k]; d += t * t; }
                distances[i * n + j] = (float)d;
            }
        });
        var conditional = new float[n * n];
        double target = Math.Log(perplexity);
        Parallel.For(0, n, parallel, i =>
        {
            // Bisection on the precision β = 1 / 2σ² until the row's entropy is log(perplexity).
            double beta = 1, low = 0, high = double.PositiveInfinity;
            var row = new double[n];
            for (int attempt = 0; attempt < 64; attempt++)
            {
                double sum = 0, weighted = 0;
                double nearest = double.PositiveInfinity;
                for (int j = 0; j < n; j++) if (j != i) nearest = Math.Min(nearest, distances[i * n + j]);
                for (int j = 0; j < n; j++)
                {
                    row[j] = j == i ? 0 : Math.Exp(-beta * (distances[i * n + j] - nearest));   // shifted: the ratio is unchanged, nothing underflows
                    sum += row[j];
                    weighted += row[j] * (distances[i * n + j] - nearest);
                }
                double entropy = Math.Log(sum) + beta * weighted / sum;
                if (Math.Abs(entropy - target) < 1e-5) break;
                if (entropy > target) { low = beta; beta = double.IsPositiveInfinity(high) ? beta * 2 : (beta + high) / 2; }
                else { high = beta; beta = (beta + low) / 2; }
            }
            double total = row.Sum();
            for (int j = 0; j < n; j++) conditional[i * n + j] = (float)(row[j] / total);
        });
        // Symmetrised in place of the distances, which are no longer needed.
        var p = distances;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                p[i * n + j] = (float)Math.Max((conditional[i * n + j] + conditional[j * n + i]) / (2.0 * n), 1e-12);
        return p;
    }

    static void Centre(double[] y, int n)
    {
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) { mx += y[2 * i]; my += y[2 * i + 1]; }
        mx /= n; my /= n;
        for (int i = 0; i < n; i++) { y[2 * i] -= mx; y[2 * i + 1] -= my; }
    }

    static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
