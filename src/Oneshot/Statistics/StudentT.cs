namespace Oneshot.Statistics;

/// <summary>Student's t distribution: CDF through the regularised incomplete beta function, quantile by
/// bisection.</summary>
public static class StudentT
{
    public static double Cdf(double t, double degrees)
    {
        double x = degrees / (degrees + t * t);
        double tail = 0.5 * IncompleteBeta(degrees / 2, 0.5, x);
        return t >= 0 ? 1 - tail : tail;
    }

    public static double Quantile(double p, double degrees)
    {
        if (p <= 0 || p >= 1 || degrees <= 0) throw new ArgumentOutOfRangeException(nameof(p));
        if (p < 0.5) return -Quantile(1 - p, degrees);
        double low = 0, high = 1;
        while (Cdf(high, degrees) < p) high *= 2;
        for (int i = 0; i < 200 && high - low > 1e-12; i++)
        {
            double middle = (low + high) / 2;
            if (Cdf(middle, degrees) < p) low = middle; else high = middle;
        }
        return (low + high) / 2;
    }

    /// <summary>I_x(a, b), by the continued fraction (modified Lentz), using the symmetry for x past the
    /// mean.</summary>
    public static double IncompleteBeta(double a, double b, double x)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        if (x > (a + 1) / (a + b + 2)) return 1 - IncompleteBeta(b, a, 1 - x);
        const double tiny = 1e-300;
        double f = 1, c = 1, d = 0;
        for (int i = 0; i <= 400; i++)
        {
            int m = i / 2;
            double numerator = i == 0 ? 1
                : i % 2 == 0 ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
                : -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1 + numerator * d;
            if (Math.Abs(d) < tiny) d = tiny;
            d = 1 / d;
            c = 1 + numerator / c;
            if (Math.Abs(c) < tiny) c = tiny;
            double step = c * d;
            f *= step;
            if (Math.Abs(1 - step) < 1e-15) break;
        }
        return front * (f - 1) / a;
    }

    /// <summary>ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms).</summary>
    public static double LogGamma(double x)
    {
        double[] coefficients = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059,
                                 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
                                     1.5056327351493116e-7];
        if (x < 0.5) return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        x -= 1;
        double sum = coefficients[0];
        for (int i = 1; i < 9; i++) sum += coefficients[i] / (x + i);
        double t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
