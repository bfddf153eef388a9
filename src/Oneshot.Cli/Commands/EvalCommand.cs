using System.CommandLine;
using Oneshot.Cli.Output;
using Oneshot.Evaluation;
using Oneshot.Evaluation.Report;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot eval`: judge models and their priors against a dataset's test clips; writes report.html and
/// metrics.json.</summary>
public static class EvalCommand
{
    public static Command Build()
    {
        var command =
            new Command("eval", "Evaluate models (and their priors) on a dataset: reconstruction, latent and " +
            "generation metrics (FAD, FAD∞, KID, precision/recall, density/coverage, Vendi, NDB), audio examples; " +
            "writes report.html and metrics.json.");
        var models = new Option<string[]>("--models", "-m")
            { Description = "Model directories to compare.", Required = true, AllowMultipleArgumentsPerToken = true };
        var data = new Option<string>("--data", "-d")
            { Description = "Dataset directory with a test split (the models' dataset).", Required = true };
        var output = new Option<string>("--out", "-o")
            { Description = "Report folder.", DefaultValueFactory = _ => "report" };
        var clap = new Option<string?>("--clap")
            { Description = "ONNX export of a LAION-CLAP audio encoder (input_features → audio_embeds). Without it " +
            "the built-in log-mel statistics embedder is used, and the report says so." };
        var samples = new Option<int?>("--samples")
            { Description = "Generated clips per model and prior (default: as many as the test split)." };
        var seed = new Option<int>("--seed")
            { Description = "Seed of the generated latents and of the metrics' random subsets.",
            DefaultValueFactory = _ => 1 };
        var temperature = new Option<double>("--temperature")
            { Description = "Prior temperature of the generated clips.", DefaultValueFactory = _ => 1.0 };
        var cache = new Option<string?>("--cache")
            { Description = "Embedding cache folder (default ~/.cache/oneshot/embeddings)." };
        var traversal = new Option<int>("--traversal-clips")
            { Description = "Held-out clips each named control is moved across (5 positions each; 0: none).",
            DefaultValueFactory = _ => 24 };
        var batchSize = ModelCommands.BatchSizeOption();
        var testClips = new Option<int>("--test-clips")
            { Description = "Score at most this many test clips, evenly spaced over the split (0: all); about 1 MB " +
            "of memory each.", DefaultValueFactory = _ => EvalRequest.DefaultTestClips };
        var examples = new Option<int>("--examples")
            { Description = "Clips of each kind (real, reconstructed, generated per prior) written as WAV for the " +
            "report and a listening test.", DefaultValueFactory = _ => 6 };
        // the encoder's own latents unless asked: refining doubles an evaluation's time or more
        var refine = ModelCommands.RefineOption(0);
        var threads = TrainCommand.ThreadsOption();
        var device = DeviceChoice.Option();
        foreach (Option option in new Option[] { models, data, output, clap, samples, seed, temperature, cache,
            examples, traversal, testClips, batchSize, refine, threads, device })
            command.Options.Add(option);
        command.SetAction(async (parse, cancellation) =>
        {
            TrainCommand.ApplyThreads(parse.GetValue(threads));
            var on = DeviceChoice.Resolve(parse, device);
            if (parse.GetValue(examples) < 0) throw new OneshotException("--examples must not be negative.");
            if (parse.GetValue(temperature) is var t && (t < 0 || !double.IsFinite(t)))
                throw new OneshotException($"--temperature {t} must be 0 or more.");
            var request = new EvalRequest
            {
                Models = parse.GetValue(models)!,
                DataDirectory = parse.GetValue(data)!,
                OutDirectory = parse.GetValue(output)!,
                ClapModel = parse.GetValue(clap),
                Samples = parse.GetValue(samples),
                Seed = parse.GetValue(seed),
                Temperature = parse.GetValue(temperature),
                CacheDirectory = parse.GetValue(cache),
                Examples = parse.GetValue(examples),
                TraversalClips = parse.GetValue(traversal),
                TestClips = parse.GetValue(testClips),
                BatchSize = parse.GetValue(batchSize),
                Device = on,
                RefineSteps = parse.GetValue(refine),
                Metrics = new DistributionOptions { Seed = parse.GetValue(seed) },
            };
            var result = await ProgressDisplay.RunAsync("Evaluating", "clips", progress =>
            {
                var evaluator = new Evaluator { OnProgress = progress,
                    OnMessage = m => AnsiConsole.MarkupLine(Markup.Escape(m)) };
                return evaluator.Run(request, cancellation);
            });
            EvaluationReport.Write(request.OutDirectory, result);
            var table = new Table().AddColumns("model", "prior", "FAD", "KID", "precision", "recall", "recon. spectral",
                "identified (test)", "identified (seen)", "partials kept (test)");
            foreach (var m in result.Models)
                foreach (var g in m.Generation)
                    table.AddRow(m.Name, g.Prior == "standard" ? "N(0, I)" : $"trained ({g.PriorKind})",
                        $"{g.VersusTest.Fad:0.###}", $"{g.VersusTest.Kid.Mean:0.####}",
                        $"{g.VersusTest.Manifold.Precision:0.##}", $"{g.VersusTest.Manifold.Recall:0.##}",
                            $"{m.Reconstruction.Spectral:0.##}", $"{m.Reconstruction.Identification.Top1:0%}",
                        $"{m.SeenReconstruction.Identification.Top1:0%}", m.Reconstruction.Partials?.Share is { } kept
                            ? $"{kept:0%}" : "—");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"Embedder: {Markup.Escape(result.Embedder)}. Real train vs test clips: FAD " +
                $"{result.RealTrainVersusTest.Fad:0.###}.");
            AnsiConsole.MarkupLine("Identified, for scale, the test clips "
                + string.Join(", ", result.IdentificationYardsticks.Select(y =>
                $"{Markup.Escape(y.Degradation)} {y.Identification.Top1:0%}")) + ".");
            AnsiConsole.MarkupLine("LSD / SNR, for scale, of the test clips "
                + string.Join(", ", result.IdentificationYardsticks.Where(y => y.LsdDb is not null)
                .Select(y => $"{Markup.Escape(y.Degradation)} {y.LsdDb:0.#} / {y.SnrDb:0.#} dB")) + ".");
            if (result.Models.FirstOrDefault()?.Reconstruction.Partials is { PitchedClips: > 0 } pitched)
                AnsiConsole.MarkupLine($"Partials kept, for scale, by the {pitched.PitchedClips} pitched test clips " +
                    string.Join(", ", result.IdentificationYardsticks.Where(y => y.Partials?.Share is not null)
                        .Select(y => $"{Markup.Escape(y.Degradation)} {y.Partials!.Share:0%}")) + ".");
            foreach (var m in result.Models)
                AnsiConsole.MarkupLine($"{Markup.Escape(m.Name)}, test round trip: LSD {m.Reconstruction.LsdDb:0.##} " +
                    $"dB, SNR {m.Reconstruction.SnrDb:0.##} dB" +
                    (m.Reconstruction.FrameGridRipple is { } ripple
                        ? $"; high-band ripple locked to the decoder's {ripple.HopSamples}-sample frames " +
                            $"{ripple.CandidatesDb:0.##} dB (originals {ripple.OriginalsDb:0.##} dB), above its " +
                            $"original on {ripple.ShareAbove:0%} of {ripple.Clips} clips."
                        : "."));
            AnsiConsole.MarkupLine(
                $"Wrote [bold]{Markup.Escape(Path.Combine(request.OutDirectory, EvaluationReport.HtmlFile))}[/] and " +
                $"{EvaluationReport.JsonFile}.");
            return CliApp.Ok;
        });
        return command;
    }
}
