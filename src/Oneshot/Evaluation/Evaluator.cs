using System.Diagnostics;
using Oneshot.Audio;
using Oneshot.Data;
using Oneshot.Generation;
using Oneshot.Model;
using Oneshot.Prior;
using Oneshot.Statistics;
using static TorchSharp.torch;

namespace Oneshot.Evaluation;

public sealed record EvalRequest
{
    public required IReadOnlyList<string> Models { get; init; }
    public required string DataDirectory { get; init; }
    public required string OutDirectory { get; init; }
    /// <summary>An ONNX CLAP audio encoder; null: the built-in log-mel statistics embedder.</summary>
    public string? ClapModel { get; init; }
    /// <summary>Generated clips per model and prior; null: as many as the test split has.</summary>
    public int? Samples { get; init; }
    public int Seed { get; init; } = 1;
    public double Temperature { get; init; } = 1;
    /// <summary>Gradient steps on each latent before reconstructing (<see cref="Generation.LatentRefiner"/>); 0: the encoder's latents.</summary>
    public int RefineSteps { get; init; }
    public string? CacheDirectory { get; init; }
    /// <summary>Clips of each kind written as WAV for the report's players.</summary>
    public int Examples { get; init; } = 6;
    public DistributionOptions Metrics { get; init; } = new();
}

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
        if (request.Models.Count == 0) throw new OneshotException("--models: name at least one model directory.");
        foreach (var model in request.Models)
            if (!ModelDirectory.Exists(model)) throw new OneshotException($"--models: '{model}' is not a model directory (no config.json); train one with `oneshot train`.");
        Generation.LatentRefiner.CheckSteps(request.RefineSteps);
        if (request.Samples is < 2) throw new OneshotException($"--samples {request.Samples} must be at least 2.");
        using var store = new ClipStore(request.DataDirectory);
        var testIndices = store.IndicesOf("test");
        if (testIndices.Length < 2) throw new OneshotException($"'{request.DataDirectory}' has {testIndices.Length} test clips; evaluation needs a test split (prepare the dataset with one).");
        var trainIndices = store.IndicesOf("train");
        if (trainIndices.Length < 2) throw new OneshotException($"'{request.DataDirectory}' has {trainIndices.Length} train clips; evaluation compares against the train split too.");
        Directory.CreateDirectory(request.OutDirectory);

        int samples = request.Samples ?? testIndices.Length;
        var testClips = testIndices.Select(store.Read).ToArray();
        var trainClips = trainIndices.Select(store.Read).ToArray();
        var testLabels = testIndices.Select(i => LabelOf(store.Meta[i])).ToArray();
        // As many training clips as test clips, spread through the split: reconstructing clips the
        // model has seen beside ones it has not tells fitting from generalising.
        var seenPositions = Data.Recipes.Recipes.EvenlySpaced(Enumerable.Range(0, trainClips.Length).ToArray(), testClips.Length);
        var seenClips = seenPositions.Select(i => trainClips[i]).ToArray();
        var testClipLabels = LabelsOf(store, testIndices);
        var seenClipLabels = LabelsOf(store, [.. seenPositions.Select(i => trainIndices[i])]);
        double total = testClips.Length + trainClips.Length + IdentificationYardsticks.Names.Count * testClips.Length
                       + request.Models.Sum(m => (request.RefineSteps > 0 ? 4 : 3) * (testClips.Length + seenClips.Length) + 2 * samples * (PriorFile.Exists(m) ? 2 : 1));   // encode, decode, embed; generate, embed
        double done = 0;
        void Advance(double units)
        {
            done += units;
            OnProgress?.Invoke(done, total);
            cancellation.ThrowIfCancellationRequested();
        }

        using IAudioEmbedder embedder = request.ClapModel is { } clap ? new ClapEmbedder(clap) : new LogMelStatisticsEmbedder();
        var cache = new EmbeddingCache(request.CacheDirectory ?? EmbeddingCache.DefaultDirectory());
        OnMessage?.Invoke($"Embedder: {embedder.Name}; cache {cache.Directory}.");
        EmbeddingMatrix Embed(IReadOnlyList<float[]> clips)
        {
            var result = cache.Embed(embedder, clips, store.SampleRate, out _);
            Advance(clips.Count);
            return result;
        }

        var testEmbeddings = Embed(testClips);
        var trainEmbeddings = Embed(trainClips);
        var seenEmbeddings = trainEmbeddings.Rows(seenPositions);
        var realBaseline = DistributionComparison.Compute(testEmbeddings, trainEmbeddings, request.Metrics);
        var audio = new ExampleWriter(request.OutDirectory, store.SampleRate, request.Examples);
        var realExamples = audio.Write("real", testClips);
        var testIdentity = IdentificationSpectrogram.Of(testClips, store.SampleRate);
        var seenIdentity = IdentificationSpectrogram.Of(seenClips, store.SampleRate);
        OnMessage?.Invoke("Identifying degraded test clips, the scale for reconstructions…");
        var yardsticks = IdentificationYardsticks.Measure(testClips, store.SampleRate, testIdentity, request.Seed, testClipLabels, n => Advance(n));

        var models = new List<ModelEvaluation>();
        foreach (var (directory, index) in request.Models.Select((d, i) => (d, i)))
        {
            string name = UniqueName(directory, index, request.Models);
            OnMessage?.Invoke($"Model {name}: reconstructing {testClips.Length} test clips…");
            using var runner = new ModelRunner(directory);
            if (runner.SampleRate != store.SampleRate || runner.ClipLength != store.Length)
                throw new OneshotException($"Model '{directory}' works on {runner.ClipLength} samples at {runner.SampleRate} Hz; the dataset '{request.DataDirectory}' has {store.Length} at {store.SampleRate} Hz.");

            ReconstructionSummary Reconstruct(float[][] originals, float[][] latents, EmbeddingMatrix originalEmbeddings, EmbeddingMatrix originalIdentity, ClipLabels labels, string? examplesFolder)
            {
                var reconstructions = runner.Decode(latents, noiseSeed: (ulong)request.Seed);
                Advance(originals.Length);
                var (spectral, logMel, siSdr) = ScoreReconstructions(originals, reconstructions, store.SampleRate);
                var embeddings = Embed(reconstructions);
                var (attackError, decayError) = EnvelopeErrors(originals, reconstructions, store.SampleRate);
                return new ReconstructionSummary(originals.Length, spectral, logMel, siSdr, attackError, decayError,
                    Identification.Score(originalIdentity, IdentificationSpectrogram.Of(reconstructions, store.SampleRate), labels),
                    DistributionComparison.Compute(originalEmbeddings, embeddings, request.Metrics),
                    examplesFolder is null ? [] : audio.Write(examplesFolder, reconstructions));
            }

            var (latents, latent) = EncodeAndScoreLatents(runner, testClips);
            Advance(testClips.Length);
            // The latent metrics and the projection stay the encoder's; only the reconstructions use refined latents.
            var reconstructionLatents = latents;
            if (request.RefineSteps > 0)
            {
                OnMessage?.Invoke($"Model {name}: refining {testClips.Length} test latents ({request.RefineSteps} steps)…");
                reconstructionLatents = runner.Refine(testClips, latents, request.RefineSteps, n => Advance(n));
            }
            var reconstruction = Reconstruct(testClips, reconstructionLatents, testEmbeddings, testIdentity, testClipLabels, $"{name}/reconstructions");
            OnMessage?.Invoke($"Model {name}: reconstructing {seenClips.Length} train clips…");
            var seenLatents = runner.Encode(seenClips);
            Advance(seenClips.Length);
            if (request.RefineSteps > 0) seenLatents = runner.Refine(seenClips, seenLatents, request.RefineSteps, n => Advance(n));
            var seenReconstruction = Reconstruct(seenClips, seenLatents, seenEmbeddings, seenIdentity, seenClipLabels, examplesFolder: null);

            var generations = new List<GenerationSummary>();
            foreach (bool trained in runner.HasTrainedPrior ? new[] { false, true } : [false])
            {
                string prior = trained ? PriorFile.ReadConfig(directory).Kind.ToString().ToLowerInvariant() : "standard";
                OnMessage?.Invoke($"Model {name}: {samples} samples from the {(trained ? $"trained prior ({prior})" : "N(0, I) prior")}…");
                var clock = Stopwatch.StartNew();
                var z = runner.SampleLatents(samples, request.Temperature, request.Seed, trained);
                var generated = runner.Decode(z, noiseSeed: (ulong)request.Seed);
                double seconds = clock.Elapsed.TotalSeconds;
                Advance(samples);
                var embeddings = Embed(generated);
                generations.Add(new GenerationSummary(
                    trained ? "trained" : "standard", prior, samples, request.Seed, request.Temperature, seconds / samples * 1000,
                    DistributionComparison.Compute(testEmbeddings, embeddings, request.Metrics),
                    DistributionComparison.Compute(trainEmbeddings, embeddings, request.Metrics),
                    audio.Write($"{name}/{(trained ? "trained-prior" : "standard-prior")}", generated)));
            }
            models.Add(new ModelEvaluation(name, Path.GetFullPath(directory), runner.Config.Describe(), runner.Config.Model.ActiveFlowSteps > 0,
                reconstruction, seenReconstruction,
                latent, generations, Projection(directory, latents, testLabels)));
        }

        return new EvaluationResult(embedder.Name, Path.GetFullPath(request.DataDirectory), store.Info.Hash, testClips.Length, trainClips.Length,
            samples, request.Seed, request.Temperature, request.Metrics, realBaseline, realExamples, yardsticks, models, DateTimeOffset.Now, request.RefineSteps);
    }

    /// <summary>Mean multi-scale spectral distance (the same STFT sizes for every model), log-mel L1 and SI-SDR.</summary>
    static (double Spectral, double LogMelL1, double SiSdrDb) ScoreReconstructions(float[][] originals, float[][] reconstructions, int sampleRate)
    {
        using var metrics = new ReconstructionMetrics(sampleRate);
        double spectral = 0, logMel = 0, siSdr = 0;
        using var _ = no_grad();
        for (int start = 0; start < originals.Length; start += 16)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(16, originals.Length - start);
            var x = stack(originals.Skip(start).Take(count).Select(c => tensor(c)).ToArray());
            var y = stack(reconstructions.Skip(start).Take(count).Select(c => tensor(c)).ToArray());
            spectral += metrics.Spectral(x, y).sum().item<float>();
            logMel += metrics.LogMelL1(x, y).sum().item<float>();
            siSdr += ReconstructionMetrics.SiSdr(x, y).sum().item<float>();
        }
        int n = originals.Length;
        return (spectral / n, logMel / n, siSdr / n);
    }

    /// <summary>Mean absolute attack-time and decay-time differences in milliseconds (<see cref="Descriptors.Envelope"/>).</summary>
    static (double AttackMs, double DecayMs) EnvelopeErrors(float[][] originals, float[][] reconstructions, int sampleRate)
    {
        double attack = 0, decay = 0;
        for (int i = 0; i < originals.Length; i++)
        {
            var a = Descriptors.Envelope(originals[i], sampleRate);
            var b = Descriptors.Envelope(reconstructions[i], sampleRate);
            attack += Math.Abs(a.AttackSeconds - b.AttackSeconds);
            decay += Math.Abs(a.DecaySeconds - b.DecaySeconds);
        }
        return (1000 * attack / originals.Length, 1000 * decay / originals.Length);
    }

    /// <summary>
    /// One encoder pass over the clips: their deterministic latents (what `oneshot encode` gives),
    /// active units and KL of the Gaussian posterior, and how likely each prior finds the latents.
    /// </summary>
    static (float[][] Latents, LatentSummary Summary) EncodeAndScoreLatents(ModelRunner runner, float[][] clips)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int n = runner.LatentSize;
        var means = new List<float[]>();
        var latents = new List<float[]>();
        double kl = 0;
        runner.Model.eval();
        runner.Model.EncodeInBatches(clips.Length, i => clips[i], 16, (start, posterior) =>
        {
            kl += WaveformVae.AnalyticKl(posterior.Mean, posterior.Std).sum().item<float>();
            var mean = posterior.Mean.data<float>().ToArray();
            var z = runner.Model.MeanLatent(posterior).data<float>().ToArray();
            for (int i = 0; i < mean.Length / n; i++)
            {
                means.Add(mean.AsSpan(i * n, n).ToArray());
                latents.Add(z.AsSpan(i * n, n).ToArray());
            }
        });
        var all = tensor(latents.SelectMany(l => l).ToArray(), [latents.Count, n]);
        var nll = new Dictionary<string, double>();
        using (var standard = new StandardNormalPrior(n)) nll["standard"] = -standard.LogProb(all).mean().item<double>() / n;
        if (runner.HasTrainedPrior)
        {
            using var trained = PriorFile.Load(runner.Directory, n);
            nll["trained"] = -trained.LogProb(all).mean().item<double>() / n;
        }
        return (latents.ToArray(), new LatentSummary(LatentActivity.ActiveUnits(means), kl / clips.Length / n, nll));
    }

    /// <summary>The test latents on the first two principal directions of latent.json (the train posterior), with labels.</summary>
    static LatentProjection? Projection(string directory, float[][] latents, string[] labels)
    {
        var statistics = ModelDirectory.LoadLatent(directory);
        if (statistics is null || statistics.Components.Length < 2) return null;
        var points = latents.Select(z =>
        {
            double x = 0, y = 0;
            for (int d = 0; d < z.Length; d++)
            {
                double centred = z[d] - statistics.Mean[d];
                x += centred * statistics.Components[0][d];
                y += centred * statistics.Components[1][d];
            }
            return new[] { x, y };
        }).ToArray();
        return new LatentProjection(points, labels, statistics.ExplainedVarianceRatio.Take(2).ToArray());
    }

    /// <summary>The clips' groups, and their "class" and "instrument" labels where every clip has one.</summary>
    static ClipLabels LabelsOf(ClipStore store, int[] indices)
    {
        var metas = indices.Select(i => store.Meta[i]).ToArray();
        string[]? Every(Func<Data.ClipMeta, string?> label)
        {
            var values = metas.Select(label).OfType<string>().ToArray();
            return values.Length == metas.Length ? values : null;
        }
        // An instrument name is only unique within its kit ("Snare" is in every kit).
        return new ClipLabels(Every(ClassOf), [.. metas.Select(m => m.Group)], Every(m => Label(m, "instrument") is { } name ? $"{m.Group}/{name}" : null));
    }

    static string? ClassOf(Data.ClipMeta meta) => Label(meta, "class");

    static string? Label(Data.ClipMeta meta, string key) =>
        meta.Labels.TryGetValue(key, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : null;

    static string LabelOf(Data.ClipMeta meta) => ClassOf(meta) ?? meta.Group;

    static string UniqueName(string directory, int index, IReadOnlyList<string> all)
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        bool clash = all.Where((d, i) => i != index).Any(d => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(d))) == name);
        return clash ? $"{name}-{index + 1}" : name;
    }

    /// <summary>The first few clips of each kind as WAV under out/audio/, for the report's players.</summary>
    sealed class ExampleWriter(string outDirectory, int sampleRate, int count)
    {
        public string[] Write(string folder, IReadOnlyList<float[]> clips)
        {
            string directory = Path.Combine(outDirectory, AudioFolder, folder);
            Directory.CreateDirectory(directory);
            var paths = new List<string>();
            for (int i = 0; i < Math.Min(count, clips.Count); i++)
            {
                string file = Path.Combine(directory, $"{i + 1:00}.wav");
                WavWriter.Write(file, clips[i], sampleRate);
                paths.Add(Path.GetRelativePath(outDirectory, file).Replace('\\', '/'));
            }
            return paths.ToArray();
        }
    }
}
