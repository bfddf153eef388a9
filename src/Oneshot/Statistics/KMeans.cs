using Oneshot.TorchInterop;
using static TorchSharp.torch;

namespace Oneshot.Statistics;

/// <summary>k-means on the rows of a float64 matrix: k-means++ seeding, then Lloyd iterations.</summary>
public static class KMeans
{
    /// <summary>k-means++ seeding: each next centre drawn with probability ∝ squared distance to the nearest chosen
    /// one.</summary>
    public static Tensor SeedCentres(Tensor x, int k, Generator generator)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0];
        var chosen = new List<Tensor> { x[randint(0, n, [1], generator: generator).item<long>()] };
        var distance = (x - chosen[0]).Squared().sum(1);           // to the nearest chosen centre, kept up to date
        for (int j = 1; j < k; j++)
        {
            var index = multinomial(distance.Plus(1e-12), 1, generator: generator).item<long>();
            chosen.Add(x[index]);
            distance = minimum(distance, (x - chosen[^1]).Squared().sum(1));
        }
        return stack(chosen.ToArray()).MoveToOuterDisposeScope();
    }

    /// <summary>Centres [k, d] after Lloyd iterations until no row changes cluster (or the limit); an emptied cluster
    /// keeps its centre.</summary>
    public static Tensor Fit(Tensor x, int k, Generator generator, int iterations = 100)
    {
        using var scope = NewDisposeScope();
        var centres = SeedCentres(x, k, generator);
        Tensor? previous = null;
        for (int i = 0; i < iterations; i++)
        {
            var assignment = Assign(x, centres);
            if (previous is not null && assignment.eq(previous).all().item<bool>()) break;
            var counts = bincount(assignment, minlength: k).to_type(ScalarType.Float64);
            var sums = zeros_like(centres).index_add(0, assignment, x, Scalars.One);
            var occupied = counts.gt(Scalars.Of(0)).unsqueeze(1);
            centres = where(occupied, sums / counts.ClampMin(1).unsqueeze(1), centres);
            previous = assignment;
        }
        return centres.MoveToOuterDisposeScope();
    }

    /// <summary>The index of the nearest centre for each row.</summary>
    public static Tensor Assign(Tensor x, Tensor centres) => cdist(x, centres).argmin(1);
}
