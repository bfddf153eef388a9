using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Oneshot.Evaluation;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot metrics`: every distribution metric between two embedding files, to check against other
/// tools.</summary>
public static class MetricsCommand
{
    public static Command Build()
    {
        var command =
            new Command("metrics", "Compare two sets of embeddings (.npy, [count, dimensions], float32 or float64): " +
            "FAD, FAD∞, KID, precision/recall, density/coverage, Vendi score, NDB.");
        var reference = new Argument<string>("reference")
            { Description = "Embeddings of the real clips (the reference set)." };
        var candidates = new Argument<string>("candidates")
            { Description = "Embeddings of the generated clips (the set being judged)." };
        var json = new Option<string?>("--json") { Description = "Also write the values to this JSON file." };
        var seed = new Option<int>("--seed")
            { Description = "Seed of the KID subsets, FAD∞ draws and NDB k-means.", DefaultValueFactory = _ => 1 };
        var subsets = new Option<int>("--kid-subsets")
            { Description = "KID subsets (each of min(1000, n/2) embeddings).", DefaultValueFactory = _ => 100 };
        var subsetSize = new Option<int?>("--kid-subset-size")
            { Description = "Embeddings per KID subset (default min(1000, n/2)); the smaller set's size uses every " +
            "embedding." };
        var bins = new Option<int?>("--ndb-bins")
            { Description = "NDB k-means bins (default: one per 10 reference embeddings, 2 to 100)." };
        command.Arguments.Add(reference);
        command.Arguments.Add(candidates);
        foreach (Option option in new Option[] { json, seed, subsets, subsetSize, bins }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            if (parse.GetValue(subsets) < 1) throw new OneshotException("--kid-subsets must be at least 1.");
            if (parse.GetValue(subsetSize) is < 2) throw new OneshotException("--kid-subset-size must be at least 2.");
            var a = EmbeddingMatrix.Load(parse.GetValue(reference)!);
            var b = EmbeddingMatrix.Load(parse.GetValue(candidates)!);
            var options = new DistributionOptions { Seed = parse.GetValue(seed), KidSubsets = parse.GetValue(subsets),
                KidSubsetSize = parse.GetValue(subsetSize), NdbBins = parse.GetValue(bins) };
            var result = DistributionComparison.Compute(a, b, options);

            AnsiConsole.MarkupLine($"{a.Count} reference and {b.Count} candidate embeddings of length " +
                $"{a.Dimensions}; seed {options.Seed}.");
            var table = new Table().AddColumns("metric", "value", "meaning");
            foreach (var (name, value) in result.Values())
                table.AddRow(name, value.ToString("0.######", CultureInfo.InvariantCulture), Meaning(name, result));
            AnsiConsole.Write(table);

            if (parse.GetValue(json) is { } path)
            {
                var node = new JsonObject
                {
                    ["reference"] = Path.GetFullPath(parse.GetValue(reference)!),
                    ["candidates"] = Path.GetFullPath(parse.GetValue(candidates)!),
                    ["reference_count"] = a.Count,
                    ["candidate_count"] = b.Count,
                    ["dimensions"] = a.Dimensions,
                    ["seed"] = options.Seed,
                    ["kid_subsets"] = result.Kid.Subsets,
                    ["kid_subset_size"] = result.Kid.SubsetSize,
                    ["ndb_bins"] = result.Ndb.Bins,
                };
                foreach (var (name, value) in result.Values()) node[name] = value;
                AtomicFile.WriteAllText(path, node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                AnsiConsole.MarkupLine($"Wrote {Markup.Escape(path)}.");
            }
            return CliApp.Ok;
        });
        return command;
    }

    static string Meaning(string name, DistributionComparison r) => name switch
    {
        "fad" => "Fréchet distance; lower is better",
        "fad_inf" => $"FAD extrapolated to infinitely many samples ({r.FadInfinity.Sizes.Length} sizes)",
        "kid" => $"kernel distance (unbiased MMD²), mean of {r.Kid.Subsets} subsets of {r.Kid.SubsetSize}; lower is " +
            $"better",
        "kid_std" => "standard deviation of KID over the subsets",
        "precision" => $"share of candidates inside the reference manifold (k = {r.Manifold.PrecisionRecallK}); " +
            $"fidelity",
        "recall" => "share of references inside the candidate manifold; diversity",
        "density" => $"mean reference balls per candidate ÷ k (k = {r.Manifold.DensityCoverageK}); ≈ 1 when alike",
        "coverage" => "share of reference balls holding a candidate",
        "vendi_reference" => "effective number of distinct references",
        "vendi" => "effective number of distinct candidates",
        "ndb" => $"statistically different bins of {r.Ndb.Bins} (α = 0.05); lower is better",
        "ndb_fraction" => "NDB / bins",
        _ => "",
    };
}
