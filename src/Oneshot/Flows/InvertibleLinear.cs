using Oneshot.TorchInterop;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Oneshot.Flows;

/// <summary>
/// Glow's invertible linear layer in LU form, u = W x with W = P·L·(U + diag(sign·exp(log_s))):
/// P a fixed permutation, L unit lower triangular, U strictly upper triangular. log|det W| = Σ log_s,
/// cheap and exact. Starts as a random rotation (seeded), so it mixes dimensions from step one.
/// </summary>
public sealed class InvertibleLinear : nn.Module, IFlowTransform
{
    readonly Parameter lower;
    readonly Parameter upper;
    readonly Parameter log_s;
    readonly Tensor sign;
    readonly Tensor permutation;
    readonly Tensor strictlyLower;
    readonly Tensor strictlyUpper;

    public InvertibleLinear(int dimensions, long seed) : base(nameof(InvertibleLinear))
    {
        var (p, l, u) = LuOfRandomRotation(dimensions, seed);
        var diagonal = Enumerable.Range(0, dimensions).Select(i => u[i, i]).ToArray();
        lower = new Parameter(Matrix(l));
        upper = new Parameter(Matrix(u));
        log_s = new Parameter(tensor(diagonal.Select(d => (float)Math.Log(Math.Abs(d))).ToArray()));
        sign = tensor(diagonal.Select(d => d < 0 ? -1f : 1f).ToArray());
        permutation = Matrix(p);
        strictlyLower = ones(dimensions, dimensions).tril(-1);
        strictlyUpper = ones(dimensions, dimensions).triu(1);
        // Persistent: the permutation and signs come from the seed and must travel with the weights.
        register_buffer("sign", sign);
        register_buffer("permutation", permutation);
        register_buffer("strictly_lower", strictlyLower, persistent: false);
        register_buffer("strictly_upper", strictlyUpper, persistent: false);
        RegisterComponents();
    }

    Tensor Lower() => (lower * strictlyLower).Plus(eye(lower.shape[0], dtype: lower.dtype, device: lower.device));
    Tensor Upper() => (upper * strictlyUpper).Plus(diag(sign * log_s.exp()));

    public Tensor Weight() => permutation.matmul(Lower()).matmul(Upper());

    public (Tensor Output, Tensor LogDet) Forward(Tensor x) =>
        (x.matmul(Weight().t()), log_s.sum().expand(x.shape[0]));

    /// <summary>x = U⁻¹ L⁻¹ Pᵀ u by two triangular solves: more accurate than inverting W.</summary>
    public (Tensor Output, Tensor LogDet) Inverse(Tensor u)
    {
        var columns = permutation.t().matmul(u.t());
        columns = linalg.solve_triangular(Lower(), columns, upper: false, unitriangular: true);
        columns = linalg.solve_triangular(Upper(), columns, upper: true);
        return (columns.t(), log_s.sum().neg().expand(u.shape[0]));
    }

    static Tensor Matrix(double[,] values)
    {
        int n = values.GetLength(0);
        var flat = new float[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) flat[i * n + j] = (float)values[i, j];
        return tensor(flat, [n, n]);
    }

    /// <summary>A seeded random orthogonal matrix (Gram–Schmidt on Gaussian columns), factorised as P·L·U with partial
    /// pivoting.</summary>
    static (double[,] P, double[,] L, double[,] U) LuOfRandomRotation(int n, long seed)
    {
        var random = new Random(Seeds.MixInt(seed, 0x11F7));
        var q = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            while (true)
            {
                for (int i = 0; i < n; i++) q[i, j] = Gaussian(random);
                for (int k = 0; k < j; k++)
                {
                    double dot = 0;
                    for (int i = 0; i < n; i++) dot += q[i, j] * q[i, k];
                    for (int i = 0; i < n; i++) q[i, j] -= dot * q[i, k];
                }
                double norm = Math.Sqrt(Enumerable.Range(0, n).Sum(i => q[i, j] * q[i, j]));
                if (norm < 1e-6) continue;
                for (int i = 0; i < n; i++) q[i, j] /= norm;
                break;
            }
        }
        // Doolittle LU with row pivoting: q = Pᵀ… written as q = P·L·U with P the row permutation.
        var u = (double[,])q.Clone();
        var l = new double[n, n];
        int[] rows = Enumerable.Range(0, n).ToArray();
        for (int k = 0; k < n; k++)
        {
            int pivot = Enumerable.Range(k, n - k).MaxBy(i => Math.Abs(u[i, k]));
            if (pivot != k)
            {
                for (int c = 0; c < n; c++) (u[k, c], u[pivot, c]) = (u[pivot, c], u[k, c]);
                for (int c = 0; c < k; c++) (l[k, c], l[pivot, c]) = (l[pivot, c], l[k, c]);
                (rows[k], rows[pivot]) = (rows[pivot], rows[k]);
            }
            l[k, k] = 1;
            for (int i = k + 1; i < n; i++)
            {
                double factor = u[i, k] / u[k, k];
                l[i, k] = factor;
                for (int c = k; c < n; c++) u[i, c] -= factor * u[k, c];
            }
        }
        var p = new double[n, n];
        for (int k = 0; k < n; k++) p[rows[k], k] = 1; // row k of L·U is row rows[k] of q
        return (p, l, u);
    }

    static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
