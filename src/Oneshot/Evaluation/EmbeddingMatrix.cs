using Oneshot.Storage;
using static TorchSharp.torch;

namespace Oneshot.Evaluation;

/// <summary>One embedding per clip: a [count, dimensions] matrix of float64, row after row.</summary>
public sealed class EmbeddingMatrix
{
    public EmbeddingMatrix(double[] values, int count, int dimensions)
    {
        if (count < 0 || dimensions < 1 || values.Length != (long)count * dimensions)
            throw new ArgumentException($"{values.Length} values do not make a {count} × {dimensions} matrix.",
                nameof(values));
        Values = values;
        Count = count;
        Dimensions = dimensions;
    }

    public double[] Values { get; }
    public int Count { get; }
    public int Dimensions { get; }

    public ReadOnlySpan<double> Row(int index) => Values.AsSpan(index * Dimensions, Dimensions);

    /// <summary>A [count, dimensions] .npy file of float32 or float64; every value must be finite.</summary>
    public static EmbeddingMatrix Load(string path)
    {
        if (!File.Exists(path)) throw new OneshotException($"'{path}' does not exist.");
        var (values, rows, columns) = NpyFile.ReadMatrix(path);
        if (rows < 2) throw new OneshotException($"'{path}' holds {rows} embedding(s); the metrics need at least 2.");
        if (columns < 1) throw new OneshotException($"'{path}' has embeddings of length 0.");
        int bad = Array.FindIndex(values, v => !double.IsFinite(v));
        if (bad >= 0)
            throw new OneshotException($"'{path}' has a non-finite value in row {bad / columns}; embeddings must be " +
                $"finite.");
        return new EmbeddingMatrix(values, rows, columns);
    }

    public void Save(string path) =>
        NpyFile.Write(path, Array.ConvertAll(Values, v => (float)v), [Count, Dimensions]);

    /// <summary>A float64 [count, dimensions] tensor (a copy).</summary>
    public Tensor ToTensor() => tensor(Values, [Count, Dimensions], ScalarType.Float64);

    public EmbeddingMatrix Rows(IReadOnlyList<int> indices)
    {
        var values = new double[indices.Count * Dimensions];
        for (int i = 0; i < indices.Count; i++) Row(indices[i]).CopyTo(values.AsSpan(i * Dimensions, Dimensions));
        return new EmbeddingMatrix(values, indices.Count, Dimensions);
    }

    public static EmbeddingMatrix FromRows(IReadOnlyList<double[]> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("no rows", nameof(rows));
        int d = rows[0].Length;
        var values = new double[rows.Count * d];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != d)
                throw new ArgumentException($"row {i} has {rows[i].Length} values, row 0 has {d}.", nameof(rows));
            rows[i].CopyTo(values, i * d);
        }
        return new EmbeddingMatrix(values, rows.Count, d);
    }
}
