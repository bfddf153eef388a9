using System.Diagnostics;
using Oneshot.Generation;
using Oneshot.Model;
using static TorchSharp.torch;

namespace Oneshot.Benchmarks;

/// <param name="MedianMs">libtorch's decode of one latent to a clip.</param>
/// <param name="DecoderMedianMs">The decoder alone (latent → bands), so MedianMs − DecoderMedianMs is about the PQMF
/// synthesis.</param>
/// <param name="OnnxMedianMs">The same decode in ONNX Runtime, as ModelRunner decodes on the CPU (NaN where the graph
/// does not mirror the config).</param>
public sealed record DecodeLatencyResult(string Preset, int Threads, int Repeats, double MedianMs, double P90Ms,
    double RealTimeFactor, double DecoderMedianMs,
                                         double OnnxMedianMs);

public sealed record SamplingResult(string Prior, int Count, double SampleMsPerClip, double DecodeMsPerClip);

/// <summary>`oneshot bench`: decoding one latent, and drawing and decoding many from a model's priors.</summary>
public static class DecodeBenchmark
{
    /// <summary>Time to decode one latent to a clip (median of many) with the given thread count.</summary>
    public static DecodeLatencyResult DecodeLatency(RunConfig config, int threads, int repeats)
    {
        int previous = get_num_threads();
        set_num_threads(threads);
        try
        {
            random.manual_seed(config.Train.Seed);
            using var model = new WaveformVae(config.Model);
            model.Freeze();
            using var _ = inference_mode();
            var times = new List<double>();
            var decoderTimes = new List<double>();
            using var z = randn(1, config.Model.LatentSize);
            for (int i = 0; i < repeats + 5; i++)
            {
                using var scope = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                model.Decode(z).data<float>();   // reading the result makes sure the work is done
                double whole = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                model.DecodeBands(z).data<float>();
                if (i < 5) continue;
                times.Add(whole);
                decoderTimes.Add(clock.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            decoderTimes.Sort();
            double median = times[times.Count / 2], p90 = times[(int)(times.Count * 0.9)];
            double clipMs = 1000.0 * config.Model.ClipLength / config.Model.SampleRate;
            double onnxMedian = double.NaN;
            using (var onnx = OnnxDecoder.TryCreate(model, threads))
                if (onnx is not null)
                {
                    float[][] latent = [z.data<float>().ToArray()];
                    var onnxTimes = new List<double>();
                    for (int i = 0; i < repeats + 5; i++)
                    {
                        var clock = Stopwatch.StartNew();
                        onnx.Decode(latent);
                        if (i >= 5) onnxTimes.Add(clock.Elapsed.TotalMilliseconds);
                    }
                    onnxTimes.Sort();
                    onnxMedian = onnxTimes[onnxTimes.Count / 2];
                }
            return new DecodeLatencyResult(config.Preset, threads, repeats, median, p90, clipMs / median,
                decoderTimes[decoderTimes.Count / 2], onnxMedian);
        }
        finally
        {
            set_num_threads(previous);
        }
    }

    /// <summary>Drawing <paramref name="count"/> latents from a model's prior and decoding them, per clip.</summary>
    public static SamplingResult SampleAndDecode(ModelRunner runner, int count, bool trainedPrior, int batchSize = 16)
    {
        runner.Decode(runner.SampleLatents(2, 1, seed: 0, trainedPrior), batchSize); // warm-up
        var clock = Stopwatch.StartNew();
        var latents = runner.SampleLatents(count, 1, seed: 1, trainedPrior);
        double sampleSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        runner.Decode(latents, batchSize);
        double decodeSeconds = clock.Elapsed.TotalSeconds;
        return new SamplingResult(trainedPrior ? "trained" : "standard", count, 1000 * sampleSeconds / count,
            1000 * decodeSeconds / count);
    }
}
