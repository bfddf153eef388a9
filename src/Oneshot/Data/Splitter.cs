namespace Oneshot.Data;

/// <summary>Assigns whole groups to splits so that clip counts come close to the wanted fractions.</summary>
public static class Splitter
{
    /// <returns>The split of each group.</returns>
    public static Dictionary<string,
        string> Assign(IReadOnlyDictionary<string, int> clipsPerGroup, double[] fractions, int seed)
    {
        var splits = DatasetFormat.Splits;
        var random = new Random(seed);
        // Groups in a seeded random order; ties in the greedy choice then fall differently per seed.
        var groups = clipsPerGroup.Keys.Order(StringComparer.Ordinal).OrderBy(_ => random.Next()).ToList();
        double total = clipsPerGroup.Values.Sum();
        var assigned = new double[splits.Length];
        var result = new Dictionary<string, string>();

        // First, one group for each smaller split that wants clips (when there are enough groups),
        // so a small dataset still has a validation and a test set: a random group that fits the
        // split's target, else the smallest one left.
        var wanted = Enumerable.Range(1, splits.Length - 1).Where(s => fractions[s] > 0).ToList();
        if (groups.Count > wanted.Count)
        {
            foreach (int s in wanted)
            {
                var free = groups.Where(g => !result.ContainsKey(g)).ToList();
                string group = free.FirstOrDefault(g => clipsPerGroup[g] <= fractions[s] * total)
                               ?? free.OrderBy(g => clipsPerGroup[g]).First();
                result[group] = splits[s];
                assigned[s] += clipsPerGroup[group];
            }
        }
        foreach (string group in groups)
        {
            if (result.ContainsKey(group)) continue;
            // The split furthest below its target, relative to the target.
            int best = 0;
            double bestDeficit = double.NegativeInfinity;
            for (int s = 0; s < splits.Length; s++)
            {
                if (fractions[s] <= 0) continue;
                double deficit = (fractions[s] * total - assigned[s]) / (fractions[s] * total);
                if (deficit > bestDeficit) { bestDeficit = deficit; best = s; }
            }
            result[group] = splits[best];
            assigned[best] += clipsPerGroup[group];
        }
        return result;
    }
}
