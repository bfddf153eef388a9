using System.Diagnostics;
using Oneshot.Audio;
using Oneshot.Data;
using Oneshot.Generation;
using Oneshot.Model;
using Oneshot.Prior;

namespace Oneshot.Evaluation;

/// <summary>
/// `oneshot eval`: every model and prior judged the same way against the same real clips — the
/// test split (and the train split as a second reference): reconstruction, latent and generation
/// metrics, WAV examples, then <see cref="Report.EvaluationReport"/> writes metrics.json and report.html.
/// </summary>
public sealed class Evaluator
{
    public const string AudioFolder = "audio";

    public Action<string>? OnMessage { get; init; }
    /// <summary>(done, total) in work units: one per clip reconstructed, generated or embedded.</summary>
    public Action<double, double>? OnProgress { get; init; }

    public EvaluationResult Run(EvalRequest request, CancellationToken cancellation = default)
    {
        Check(request);
        using var store = new ClipStore(request.DataDirectory);
        int testSplit = store.IndicesOf("test").Length, trainCount = store.IndicesOf("train").Length;
        int testCount = ReferenceClips.TestIndices(store, request.TestClips).Length;
        if (testCount < 2)
            throw new OneshotException($"'{request.DataDirectory}' has {testCount} test clips; evaluation needs a " +
                $"test split (prepare the dataset with one).");
        if (trainCount < 2)
            throw new OneshotException($"'{request.DataDirectory}' has {trainCount} train clips; evaluation compares " +
                $"against the train split too.");
        Directory.CreateDirectory(request.OutDirectory);

        int samples = request.Samples ?? testCount;
        int seenCount = ReferenceClips.SeenPositions(trainCount, testCount).Count;
        var progress = new Progress(OnProgress, cancellation,
            total: testCount + trainCount + IdentificationYardsticks.Names.Count * testCount
                   // encode, decode, embed; generate, embed
                   + request.Models.Sum(m => (request.RefineSteps > 0 ? 4 : 3) * (testCount + seenCount)
                       + 2 * samples * (PriorFile.Exists(m) ? 2 : 1)
                                             + TraversalWork(request, m, testCount)));

        using IAudioEmbedder embedder = request.ClapModel is { } clap ? new ClapEmbedder(clap)
            : new LogMelStatisticsEmbedder();
        var cache = new EmbeddingCache(request.CacheDirectory ?? EmbeddingCache.DefaultDirectory());
        OnMessage?.Invoke($"Embedder: {embedder.Name}; cache {cache.Directory}.");
        EmbeddingMatrix Embed(IReadOnlyList<float[]> clips)
        {
            var result = cache.Embed(embedder, clips, store.SampleRate, out _);
            progress.Advance(clips.Count);
            return result;
        }

        if (testCount < testSplit)
            OnMessage?.Invoke($"Scoring {testCount} of the {testSplit} test clips, evenly spaced (--test-clips).");
        var references = ReferenceClips.Read(store, Embed, request.TestClips);
        var realBaseline = DistributionComparison.Compute(references.TestEmbeddings, references.TrainEmbeddings,
            request.Metrics);
        var audio = new ExampleWriter(request.OutDirectory, store.SampleRate, request.Examples, request.Seed);
        var realExamples = audio.Write("real", references.Test);
        // The same test clips degraded as the yardsticks degrade them, to hear what their scores mean.
        foreach (string name in ExampleYardsticks)
            audio.Write(YardstickFolder(name), references.Test.Length,
                i => IdentificationYardsticks.Degrade(name, references.Test[i], store.SampleRate, request.Seed + i));
        OnMessage?.Invoke("Identifying degraded test clips, the scale for reconstructions…");
        var yardsticks = IdentificationYardsticks.Measure(references.Test, store.SampleRate, references.TestIdentity,
            request.Seed, references.TestLabels,
            n => progress.Advance(n), references.TestPitched);

        var models = request.Models.Select((directory, index) =>
            EvaluateModel(request, directory, UniqueName(directory, index, request.Models), store, references, samples,
                Embed, audio, progress)).ToList();
        return new EvaluationResult(embedder.Name, Path.GetFullPath(request.DataDirectory), store.Info.Hash,
            references.Test.Length, references.TrainCount,
            samples, request.Seed, request.Temperature, request.Metrics, realBaseline, realExamples, yardsticks, models,
                DateTimeOffset.Now, request.RefineSteps);
    }

    /// <summary>The yardsticks written as audio beside the real examples: the harshest of each kind.</summary>
    public static readonly string[] ExampleYardsticks = ["low-pass 1 kHz", "white noise −20 dBFS"];

    /// <summary>audio/yardsticks/low-pass-1-khz and the like: the name in letters, digits and dashes.</summary>
    public static string YardstickFolder(string name) =>
        "yardsticks/" + string.Join('-', name.ToLowerInvariant().Split(
            [.. name.Where(c => !char.IsAsciiLetterOrDigit(c)).Distinct()], StringSplitOptions.RemoveEmptyEntries));

    static void Check(EvalRequest request)
    {
        if (request.Models.Count == 0) throw new OneshotException("--models: name at least one model directory.");
        foreach (var model in request.Models)
            if (!ModelDirectory.Exists(model))
                throw new OneshotException($"--models: '{model}' is not a model directory (no config.json); train " +
                    $"one with `oneshot train`.");
        LatentRefiner.CheckSteps(request.RefineSteps);
        if (request.Samples is < 2) throw new OneshotException($"--samples {request.Samples} must be at least 2.");
        if (request.TestClips is < 0 or (> 0 and < 6))
            throw new OneshotException($"--test-clips {request.TestClips} must be 0 (all) or at least 6 (the " +
                $"distribution metrics need more than 5 real clips).");
        if (request.TraversalClips < 0)
            throw new OneshotException($"--traversal-clips {request.TraversalClips} must be 0 (none) or more.");
    }

    /// <summary>One model: its test and seen clips reconstructed, its latents scored, and samples from each of its
    /// priors.</summary>
    ModelEvaluation EvaluateModel(EvalRequest request, string directory, string name, ClipStore store,
        ReferenceClips references, int samples,
        Func<IReadOnlyList<float[]>, EmbeddingMatrix> embed, ExampleWriter audio, Progress progress)
    {
        OnMessage?.Invoke($"Model {name}: reconstructing {references.Test.Length} test clips…");
        using var runner = new ModelRunner(directory, request.Device) { BatchSize = request.BatchSize };
        if (runner.SampleRate != store.SampleRate || runner.ClipLength != store.Length)
            throw new OneshotException($"Model '{directory}' works on {runner.ClipLength} samples at " +
                $"{runner.SampleRate} Hz; the dataset '{request.DataDirectory}' has {store.Length} at " +
                $"{store.SampleRate} Hz.");

        ReconstructionSummary Reconstruct(float[][] originals, float[][] latents, EmbeddingMatrix originalEmbeddings,
            EmbeddingMatrix originalIdentity, ClipLabels labels,
                                          int[] pitched, string? examplesFolder)
        {
            var reconstructions = runner.Decode(latents, noiseSeed: (ulong)request.Seed);
            progress.Advance(originals.Length);
            var scores = ReconstructionScores.Spectra(originals, reconstructions, store.SampleRate);
            var embeddings = embed(reconstructions);
            var (attackError, decayError) = ReconstructionScores.Envelopes(originals, reconstructions,
                store.SampleRate);
            return new ReconstructionSummary(originals.Length, scores.Spectral, scores.LogMelL1, scores.SiSdrDb,
                attackError, decayError,
                Identification.Score(originalIdentity, IdentificationSpectrogram.Of(reconstructions, store.SampleRate),
                    labels),
                DistributionComparison.Compute(originalEmbeddings, embeddings, request.Metrics),
                examplesFolder is null ? [] : audio.Write(examplesFolder, reconstructions),
                PartialsKept.Score(originals, reconstructions, store.SampleRate, pitched), scores.LsdDb, scores.SnrDb,
                FrameGridRipple.Score(originals, reconstructions, store.SampleRate, runner.Config.Model.Hop));
        }

        var testClips = references.Test;
        var (latents, latent) = LatentScores.EncodeAndScore(runner, testClips);
        progress.Advance(testClips.Length);
        // The latent metrics and the projection stay the encoder's; only the reconstructions use refined latents.
        var reconstructionLatents = latents;
        if (request.RefineSteps > 0)
        {
            OnMessage?.Invoke($"Model {name}: refining {testClips.Length} test latents ({request.RefineSteps} steps)…");
            reconstructionLatents = runner.Refine(testClips, latents, request.RefineSteps, n => progress.Advance(n));
        }
        var reconstruction = Reconstruct(testClips, reconstructionLatents, references.TestEmbeddings,
            references.TestIdentity, references.TestLabels, references.TestPitched, $"{name}/reconstructions");
        var seenClips = references.Seen;
        OnMessage?.Invoke($"Model {name}: reconstructing {seenClips.Length} train clips…");
        var seenLatents = runner.Encode(seenClips);
        progress.Advance(seenClips.Length);
        if (request.RefineSteps > 0)
            seenLatents = runner.Refine(seenClips, seenLatents, request.RefineSteps, n => progress.Advance(n));
        var seenReconstruction = Reconstruct(seenClips, seenLatents, references.SeenEmbeddings, references.SeenIdentity,
            references.SeenLabels, references.SeenPitched, examplesFolder: null);

        var generations = new List<GenerationSummary>();
        foreach (bool trained in runner.HasTrainedPrior ? new[] { false, true } : [false])
        {
            string prior = trained ? PriorFile.ReadConfig(directory).Kind.ToString().ToLowerInvariant() : "standard";
            OnMessage?.Invoke($"Model {name}: {samples} samples from the " +
                $"{(trained ? $"trained prior ({prior})" : "N(0, I) prior")}…");
            var clock = Stopwatch.StartNew();
            var z = runner.SampleLatents(samples, request.Temperature, request.Seed, trained);
            var generated = runner.Decode(z, noiseSeed: (ulong)request.Seed);
            double seconds = clock.Elapsed.TotalSeconds;
            progress.Advance(samples);
            var embeddings = embed(generated);
            generations.Add(new GenerationSummary(
                trained ? "trained" : "standard", prior, samples, request.Seed, request.Temperature,
                    seconds / samples * 1000,
                DistributionComparison.Compute(references.TestEmbeddings, embeddings, request.Metrics),
                DistributionComparison.Compute(references.TrainEmbeddings, embeddings, request.Metrics),
                audio.Write($"{name}/{(trained ? "trained-prior" : "standard-prior")}", generated)));
        }
        var controls = Traverse(request, directory, name, runner, latents, references, progress);
        return new ModelEvaluation(name, Path.GetFullPath(directory), runner.Config.Describe(),
            runner.Config.Model.ActiveFlowSteps > 0,
            reconstruction, seenReconstruction, latent, generations,
                LatentScores.Projection(directory, latents, references.TestPlotLabels), controls,
            Disentanglement.Score(latents, references.TestDescriptors),
                Disentanglement.Score(latents, references.TestFactors), TrainingSoFar.Of(directory));
    }

    /// <summary>Which test clips the controls are moved on: spread evenly over the split, so every kit has its
    /// say.</summary>
    static int[] TraversalPositions(int traversalClips, int testCount) =>
        [.. Enumerable.Range(0, Math.Min(traversalClips, testCount))
            .Select(k => (int)((long)k * testCount / Math.Min(traversalClips, testCount)))];

    static int TraversalWork(EvalRequest request, string directory, int testCount) =>
        TraversalWork(ModelDirectory.LoadLatent(directory)?.Controls.Length ?? 0,
            TraversalPositions(request.TraversalClips, testCount).Length);

    static int TraversalWork(int controls, int clips) => controls * clips * ControlTraversals.Positions.Length;

    /// <summary>Each named control moved across held-out clips; strips of spectrograms under controls/.</summary>
    IReadOnlyList<ControlTraversal> Traverse(EvalRequest request, string directory, string name, ModelRunner runner,
        float[][] latents,
                                             ReferenceClips references, Progress progress)
    {
        var statistics = ModelDirectory.LoadLatent(directory);
        if (statistics is null || statistics.Controls.Length == 0 || request.TraversalClips <= 0) return [];
        var positions = TraversalPositions(request.TraversalClips, latents.Length);
        OnMessage?.Invoke($"Model {name}: moving {statistics.Controls.Length} named controls across " +
            $"{positions.Length} test clips…");
        var pitched = references.TestPitched.ToHashSet();
        int planned = TraversalWork(statistics.Controls.Length, positions.Length), done = 0;
        string folder = Path.Combine(request.OutDirectory, "controls");
        var result = ControlTraversals.Measure(statistics.Controls, [.. positions.Select(i => latents[i])],
            [.. positions.Select(pitched.Contains)],
            statistics.Mean, runner.SampleRate,
            moved =>
            {
                var audio = runner.Decode(moved, noiseSeed: (ulong)request.Seed);
                done += moved.Count;
                progress.Advance(moved.Count);
                return audio;
            },
            (control, strip) =>
            {
                Directory.CreateDirectory(folder);
                string file = $"{name}-{control.Name}.png";
                AtomicFile.WriteAllBytes(Path.Combine(folder, file), Spectrogram.Strip(strip).Png);
                return $"controls/{file}";
            });
        progress.Advance(planned - done);
        return result;
    }

    /// <summary>Work done against work to do, reported after each piece; cancellation is checked there too.</summary>
    sealed class Progress(Action<double, double>? report, CancellationToken cancellation, double total)
    {
        double _done;

        public void Advance(double units)
        {
            _done += units;
            report?.Invoke(_done, total);
            cancellation.ThrowIfCancellationRequested();
        }
    }

    static string UniqueName(string directory, int index, IReadOnlyList<string> all)
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        bool clash = all.Where((d, i) => i != index).Any(d =>
            Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(d))) == name);
        return clash ? $"{name}-{index + 1}" : name;
    }
}
