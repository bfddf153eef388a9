using System.Numerics;

namespace Oneshot.Statistics;

/// <summary>
/// t-SNE (van der Maaten &amp; Hinton 2008) to two dimensions: Gaussian neighbourhoods in the input
/// whose widths give each point the same perplexity (found by bisection), symmetrised; Student-t
/// neighbourhoods in the plane; gradient descent on the Kullback–Leibler divergence with early
/// exaggeration, momentum and per-coordinate gains. The input affinities are kept for each point's
/// 3 × perplexity nearest neighbours only, as Barnes-Hut-SNE does (van der Maaten 2014): farther
/// ones are vanishingly small. The repulsion in the plane is exact, O(n²) per iteration, in one
/// vectorised pass that stores no n × n matrix.
/// </summary>
public static class Tsne
{
    public const int MaximumPoints = 20_000;


    /// <param name="points">n rows of equal length.</param>
    /// <returns>n rows of (x, y), centred.</returns>
    /// <param name="threads">Cores to use (null: all); a server leaves one free so its requests are not
    /// starved.</param>
    public static double[][] Embed(IReadOnlyList<float[]> points, double perplexity = 30, int iterations = 500,
        int seed = 1, int? threads = null)
    {
        var parallel =
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads ?? Environment.ProcessorCount) };
        int n = points.Count;
        if (n > MaximumPoints)
            throw new OneshotException($"t-SNE here is O(n²) per iteration: at most {MaximumPoints} points, got {n}.");
        if (n == 0) return [];
        if (n < 4) return [.. Enumerable.Range(0, n).Select(i => new[] { (double)i, 0.0 })];
        perplexity = Math.Min(perplexity, (n - 1) / 3.0);
        var p = NeighbourAffinities.Build(points, perplexity, parallel);

        var random = new Random(seed);
        var y = new double[n * 2];
        for (int i = 0; i < y.Length; i++) y[i] = 1e-4 * Gaussian(random);
        var velocity = new double[n * 2];
        var gains = Enumerable.Repeat(1.0, n * 2).ToArray();
        var attraction = new double[n * 2];
        var repulsion = new double[n * 2];
        var kernelSums = new double[n];
        var xs = new float[n];   // the plane as float columns, for the vectorised repulsion
        var ys = new float[n];
        double learningRate = Math.Max(n / 12.0, 50);   // n / exaggeration (Belkina et al. 2019), at least 50
        const int ExaggerationSteps = 250;

        for (int step = 0; step < iterations; step++)
        {
            double exaggeration = step < ExaggerationSteps ? 12 : 1;
            double momentum = step < ExaggerationSteps ? 0.5 : 0.8;
            for (int i = 0; i < n; i++) { xs[i] = (float)y[2 * i]; ys[i] = (float)y[2 * i + 1]; }
            // ∂C/∂y_i = 4 [e Σ_j p_ij w_ij (y_i − y_j) − (1/Z) Σ_j w_ij² (y_i − y_j)], w_ij = 1 / (1 + |y_i − y_j|²), Z
            // = Σ_{i≠j} w_ij.
            Parallel.For(0, n, parallel, i =>
            {
                (kernelSums[i], repulsion[2 * i], repulsion[2 * i + 1]) = Repulsion(xs, ys, i);
                double ax = 0, ay = 0, xi = y[2 * i], yi = y[2 * i + 1];
                for (int e = p.RowStart[i]; e < p.RowStart[i + 1]; e++)
                {
                    int j = p.Column[e];
                    double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
                    double pull = p.Value[e] / (1 + dx * dx + dy * dy);
                    ax += pull * dx;
                    ay += pull * dy;
                }
                attraction[2 * i] = ax;
                attraction[2 * i + 1] = ay;
            });
            double z = 0;
            for (int i = 0; i < n; i++) z += kernelSums[i];   // in a fixed order, so a seed repeats its layout
            double inverseZ = 1 / Math.Max(z, double.Epsilon);
            for (int k = 0; k < y.Length; k++)
            {
                double gradient = 4 * (exaggeration * attraction[k] - repulsion[k] * inverseZ);
                gains[k] = Math.Sign(gradient) != Math.Sign(velocity[k]) ? gains[k] + 0.2
                    : Math.Max(gains[k] * 0.8, 0.01);
                velocity[k] = momentum * velocity[k] - learningRate * gains[k] * gradient;
                y[k] += velocity[k];
            }
            Centre(y, n);
        }
        return [.. Enumerable.Range(0, n).Select(i => new[] { y[2 * i], y[2 * i + 1] })];
    }

    /// <summary>Σ_{j≠i} w_ij and Σ_j w_ij² (y_i − y_j) for one point, vectorised over j.</summary>
    static (double KernelSum, double X, double Y) Repulsion(float[] xs, float[] ys, int i)
    {
        int n = xs.Length, width = Vector<float>.Count, j = 0;
        float xi = xs[i], yi = ys[i];
        var vxi = new Vector<float>(xi);
        var vyi = new Vector<float>(yi);
        Vector<float> sum = Vector<float>.Zero, sx = Vector<float>.Zero, sy = Vector<float>.Zero;
        for (; j <= n - width; j += width)
        {
            var dx = vxi - new Vector<float>(xs, j);
            var dy = vyi - new Vector<float>(ys, j);
            var w = Vector<float>.One / (Vector<float>.One + dx * dx + dy * dy);
            var w2 = w * w;
            sum += w;
            sx += w2 * dx;
            sy += w2 * dy;
        }
        double kernelSum = Vector.Sum(sum), rx = Vector.Sum(sx), ry = Vector.Sum(sy);
        for (; j < n; j++)
        {
            float dx = xi - xs[j], dy = yi - ys[j];
            float w = 1 / (1 + dx * dx + dy * dy);
            kernelSum += w;
            rx += w * w * dx;
            ry += w * w * dy;
        }
        return (kernelSum - 1, rx, ry);   // the point itself added w = 1 and no force
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
