using System.CommandLine;
using System.Globalization;
using Oneshot.Benchmarks;
using Oneshot.Cli.Output;
using Oneshot.Evaluation;
using Oneshot.Generation;
using Oneshot.Model;
using Oneshot.TorchInterop;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot bench`: training throughput, decode latency and memory, printed as tables.</summary>
public static class BenchCommand
{
    public static Command Build()
    {
        var command =
            new Command("bench", "Measure training throughput, decode latency (1 and 2 threads) and memory over many " +
            "steps. Prints tables for docs/benchmarks.md.");
        var presets = new Option<string[]>("--preset")
            { Description = "Presets to measure (repeatable).", DefaultValueFactory = _ => ["tiny", "cpu"] };
        presets.AcceptOnlyFromAmong(Presets.Names);
        var steps = new Option<int>("--steps")
            { Description = "Timed training steps per preset.", DefaultValueFactory = _ => 20 };
        var repeats = new Option<int>("--repeats")
            { Description = "Decodes per latency measurement.", DefaultValueFactory = _ => 50 };
        var memorySteps = new Option<int>("--memory-steps")
            { Description = "Training steps of the memory check (resident size after 50 and after this many); 0 " +
            "skips it.", DefaultValueFactory = _ => 2000 };
        var memoryPreset = new Option<string>("--memory-preset")
            { Description = "Preset of the memory check.", DefaultValueFactory = _ => "cpu" };
        memoryPreset.AcceptOnlyFromAmong(Presets.Names);
        var set = new Option<string[]>("--set")
            { Description = "Override settings of every measured preset, e.g. --set train.batch_size=4." };
        var model = new Option<string?>("--model")
            { Description = "A trained model: also time drawing latents from its priors and decoding them (--samples " +
            "of each)." };
        var samples = new Option<int>("--samples")
            { Description = "Latents drawn and decoded per prior with --model.", DefaultValueFactory = _ => 1000 };
        var evalClips = new Option<int>("--eval-clips")
            { Description = "Also time embedding this many clips twice and scoring one set against the other (e.g. " +
            "2000); 0 skips it.", DefaultValueFactory = _ => 0 };
        var clap = new Option<string?>("--clap")
            { Description = "With --eval-clips: a CLAP ONNX model to time instead of the built-in embedder." };
        var decodeFiles = new Option<string?>("--decode-files")
            { Description = "Also time decoding every non-WAV audio file under this folder, in the process " +
            "(libsndfile) and through ffmpeg." };
        var device = DeviceChoice.Option();
        device.Description += " Applies to training throughput and the --model timings; decode latency and memory " +
            "are CPU measures.";
        foreach (Option option in new Option[] { presets, steps, repeats, memorySteps, memoryPreset, set, model,
            samples, evalClips, clap, decodeFiles, device })
            command.Options.Add(option);
        command.SetAction(async (parse, cancellation) =>
        {
            var on = DeviceChoice.Resolve(parse, device);
            string[] overrides = parse.GetValue(set) ?? [];
            var configs = parse.GetValue(presets)!.Distinct().Select(p => Presets.Get(p).With(overrides)).ToList();
            foreach (var c in configs) c.Validate();
            int timedSteps = parse.GetValue(steps), decodes = parse.GetValue(repeats);
            if (timedSteps < 1 || decodes < 1) throw new OneshotException("--steps and --repeats must be at least 1.");
            AnsiConsole.MarkupLine($"[bold]oneshot bench[/] on {Environment.ProcessorCount} cores, " +
                $"{DateTime.Now:yyyy-MM-dd}; synthetic one-shot clips; " +
                $"libtorch's kernels: {NativeKernels.CpuCapability} (oneDNN " +
                    $"{(NativeKernels.OneDnnEnabled ? "on" : "off")}).");

            var throughput = new Table().AddColumns("preset", "batch", "clip", "params", "clips/s", "data ms",
                "forward ms", "backward ms", "optimiser ms");
            foreach (var config in configs)
            {
                cancellation.ThrowIfCancellationRequested();
                AnsiConsole.MarkupLine($"training throughput: {Markup.Escape(config.Describe())}…");
                var r = await Task.Run(() => TrainingBenchmark.Throughput(config, timedSteps, warmup: 3,
                    i => TrainingBenchmark.SyntheticBatch(i, config.Train.BatchSize, config.Model.ClipLength,
                        config.Model.SampleRate), on));
                throughput.AddRow(r.Preset, $"{r.BatchSize}", $"{r.ClipLength}", $"{r.Parameters / 1e6:0.00} M",
                    F(r.ClipsPerSecond, "0.0"),
                    F(r.DataMs, "0.0"), F(r.ForwardMs, "0"), F(r.BackwardMs, "0"), F(r.OptimizerMs, "0"));
            }
            AnsiConsole.Write(throughput);

            var latency = new Table().AddColumns("preset", "threads", "decode median ms", "p90 ms", "× real time",
                "decoder alone ms", "ONNX Runtime ms (what runs)");
            foreach (var config in configs)
                foreach (int threads in new[] { 1, 2 })
                {
                    cancellation.ThrowIfCancellationRequested();
                    var r = await Task.Run(() => DecodeBenchmark.DecodeLatency(config, threads, decodes));
                    latency.AddRow(r.Preset, $"{r.Threads}", F(r.MedianMs, "0.0"), F(r.P90Ms, "0.0"),
                        F(r.RealTimeFactor, "0"), F(r.DecoderMedianMs, "0.0"),
                        double.IsNaN(r.OnnxMedianMs) ? "—" : F(r.OnnxMedianMs, "0.0"));
                }
            AnsiConsole.Write(latency);

            if (parse.GetValue(model) is { } modelDirectory)
            {
                using var runner = new ModelRunner(modelDirectory, on);
                var sampling = new Table().AddColumns("model", "prior", "clips", "sample ms/clip", "decode ms/clip");
                foreach (bool trained in runner.HasTrainedPrior ? new[] { false, true } : [false])
                {
                    cancellation.ThrowIfCancellationRequested();
                    var r =
                        await Task.Run(() => DecodeBenchmark.SampleAndDecode(runner, parse.GetValue(samples), trained));
                    sampling.AddRow(Markup.Escape(modelDirectory), r.Prior, $"{r.Count}", F(r.SampleMsPerClip, "0.00"),
                        F(r.DecodeMsPerClip, "0.0"));
                }
                AnsiConsole.Write(sampling);

                cancellation.ThrowIfCancellationRequested();
                AnsiConsole.MarkupLine("instrument: decode latency under streams of slider moves (60 Hz)…");
                var i = await Task.Run(() => InstrumentBenchmark.Run(runner));
                var instrument = new Table().AddColumns("requests", "decoded", "superseded", "decoded median ms",
                    "p90 ms", "max ms", "release → ready median ms", "p90 ms", "max ms");
                instrument.AddRow($"{i.Drags}×{i.MovesPerDrag}", $"{i.Decoded}", $"{i.Superseded}",
                    F(Percentile(i.DecodedMs, 0.5), "0"), F(Percentile(i.DecodedMs, 0.9), "0"),
                    F(i.DecodedMs.Max(), "0"), F(Percentile(i.ReleaseMs, 0.5), "0"),
                        F(Percentile(i.ReleaseMs, 0.9), "0"), F(i.ReleaseMs.Max(), "0"));
                AnsiConsole.Write(instrument);
            }

            if (parse.GetValue(evalClips) is int count and > 0)
            {
                using IAudioEmbedder embedder = parse.GetValue(clap) is { } path ? new ClapEmbedder(path)
                    : new LogMelStatisticsEmbedder();
                var cpu = Presets.Get("cpu").Model;
                var e = await ProgressDisplay.RunAsync($"embedding 2 × {count} clips", "clips",
                    report => EvaluationBenchmark.Run(embedder, count, cpu.ClipLength, cpu.SampleRate, report));
                var evaluation = new Table().AddColumns("embedder", "clips", "embed ms/clip", "FAD s", "FAD∞ s",
                    "KID s", "P/R/D/C s", "Vendi s", "NDB s", "scoring s");
                evaluation.AddRow(Markup.Escape(e.Embedder), $"{e.Count} vs {e.Count}", F(e.EmbedMsPerClip, "0.0"),
                    F(e.FadSeconds, "0.00"), F(e.FadInfinitySeconds, "0.00"),
                    F(e.KidSeconds, "0.00"), F(e.ManifoldSeconds, "0.00"), F(e.VendiSeconds, "0.00"),
                        F(e.NdbSeconds, "0.00"), F(e.ScoringSeconds, "0.0"));
                AnsiConsole.Write(evaluation);
            }

            if (parse.GetValue(decodeFiles) is { } folder)
            {
                var speeds = await Task.Run(() => FileDecodeBenchmark.Run(folder));
                var decoding = new Table().AddColumns("format", "files", "M frames", "reader", "ms per file");
                foreach (var d in speeds)
                    decoding.AddRow(d.Extension, $"{d.Files}", F(d.Frames / 1e6, "0.0"), d.Reader,
                        F(d.MsPerFile, "0.0"));
                AnsiConsole.Write(decoding);
            }

            int total = parse.GetValue(memorySteps);
            if (total > 0)
            {
                var config = Presets.Get(parse.GetValue(memoryPreset)!).With(overrides);
                int first = Math.Min(50, total);
                var r = await ProgressDisplay.RunAsync($"memory ({config.Preset})", "steps", report =>
                    TrainingBenchmark.Memory(config, first, total, i =>
                        TrainingBenchmark.SyntheticBatch(i % 16, config.Train.BatchSize, config.Model.ClipLength,
                        config.Model.SampleRate),
                        done => { cancellation.ThrowIfCancellationRequested(); report(done, total); }));
                var memory = new Table().AddColumns("preset", "steps", "resident MB", "live tensors");
                memory.AddRow(r.Preset, $"{r.FirstSteps}", F(r.FirstResidentMb, "0"), $"{r.FirstLiveTensors}");
                memory.AddRow(r.Preset, $"{r.TotalSteps}", F(r.LastResidentMb, "0"), $"{r.LastLiveTensors}");
                AnsiConsole.Write(memory);
            }
            return CliApp.Ok;
        });
        return command;
    }

    static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The value below which a share p of the sorted values lie (nearest rank).</summary>
    static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN
        : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
