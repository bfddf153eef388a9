using System.Diagnostics;
using Oneshot.Generation;
using Oneshot.Instrument;

namespace Oneshot.Benchmarks;

/// <param name="DecodedMs">Request → sound ready, for the requests that were decoded.</param>
/// <param name="ReleaseMs">Slider release (the last move of a drag) → its sound ready: what a player waits for.</param>
public sealed record InstrumentLatency(int Drags, int MovesPerDrag, double IntervalMs, int Decoded, int Superseded,
    double[] DecodedMs, double[] ReleaseMs);

/// <summary>`oneshot bench --model M`: decode latency under a stream of slider moves, through
/// <see cref="DecodeService"/>.</summary>
public static class InstrumentBenchmark
{
    /// <summary>
    /// Simulates drags: <paramref name="movesPerDrag"/> requests <paramref name="intervalMs"/> apart
    /// (a pointer at 60 Hz sends one every ~16 ms) along a random direction, then a release, waits
    /// for its sound, and starts the next drag.
    /// </summary>
    public static InstrumentLatency Run(ModelRunner runner, int drags = 20, int movesPerDrag = 30,
        double intervalMs = 16, int seed = 1)
    {
        using var service = new DecodeService(runner);
        var random = new Random(seed);
        var start = runner.SampleLatents(1, 1, seed)[0];
        service.DecodeAsync(start).Wait();                   // warm-up
        var decoded = new List<double>();
        var releases = new List<double>();
        int superseded = 0;
        for (int drag = 0; drag < drags; drag++)
        {
            var direction = Enumerable.Range(0, start.Length).Select(_ => (float)(random.NextDouble() * 2 - 1))
                .ToArray();
            var pending = new List<Task<(DecodeResult Result, double Ms)>>();
            var timer = Stopwatch.StartNew();
            for (int move = 0; move < movesPerDrag; move++)
            {
                while (timer.Elapsed.TotalMilliseconds < move * intervalMs) Thread.Sleep(1);
                float amount = 0.05f * move;
                var z = start.Select((v, d) => v + amount * direction[d]).ToArray();
                pending.Add(Timed(service.DecodeAsync(z), timer));
            }
            var results = Task.WhenAll(pending).Result;
            superseded += results.Count(r => r.Result.Superseded);
            decoded.AddRange(results.Where(r => !r.Result.Superseded).Select(r => r.Ms));
            releases.Add(results[^1].Ms);                    // the last move is the release
        }
        return new InstrumentLatency(drags, movesPerDrag, intervalMs, decoded.Count, superseded,
            decoded.Order().ToArray(), releases.Order().ToArray());
    }

    /// <summary>The result and the milliseconds from sending the request to its answer.</summary>
    static async Task<(DecodeResult Result, double Ms)> Timed(Task<DecodeResult> request, Stopwatch timer)
    {
        double sent = timer.Elapsed.TotalMilliseconds;
        var result = await request;
        return (result, timer.Elapsed.TotalMilliseconds - sent);
    }
}
