using System.Diagnostics;
using Oneshot.Generation;

namespace Oneshot.Instrument;

/// <summary>A decoded sound, how long the model took, or word that a newer request replaced it.</summary>
public sealed record DecodeResult(float[]? Audio, double Milliseconds, bool Superseded);

/// <summary>
/// The model behind the instrument page, on one dedicated thread (libtorch runs best on one thread
/// it owns, and requests never run two decodes at once). Decodes are "latest wins": a request still
/// waiting when a newer one arrives is answered as superseded instead of being decoded, so a
/// stream of slider moves costs one decode at a time and the newest position is always next.
/// Encodes and samples queue in order and go before a waiting decode.
/// </summary>
public sealed class DecodeService : IDisposable
{
    readonly ModelRunner _runner;
    readonly Thread _worker;
    readonly object _gate = new();
    readonly Queue<Action> _jobs = new();
    (float[] Latent, TaskCompletionSource<DecodeResult> Done)? _pendingDecode;
    bool _stopping;

    public DecodeService(ModelRunner runner)
    {
        _runner = runner;
        _worker = new Thread(Work) { IsBackground = true, Name = "oneshot-model" };
        _worker.Start();
    }

    public ModelRunner Runner => _runner;

    public Task<DecodeResult> DecodeAsync(float[] latent)
    {
        var done = new TaskCompletionSource<DecodeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_stopping) throw new ObjectDisposedException(nameof(DecodeService));
            _pendingDecode?.Done.TrySetResult(new DecodeResult(null, 0, Superseded: true));
            _pendingDecode = (latent, done);
            Monitor.Pulse(_gate);
        }
        return done.Task;
    }

    /// <summary>Runs <paramref name="work"/> on the model thread, in order with other jobs.</summary>
    public Task<T> RunAsync<T>(Func<ModelRunner, T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_stopping) throw new ObjectDisposedException(nameof(DecodeService));
            _jobs.Enqueue(() =>
            {
                try { done.SetResult(work(_runner)); }
                catch (Exception e) { done.SetException(e); }
            });
            Monitor.Pulse(_gate);
        }
        return done.Task;
    }

    void Work()
    {
        while (true)
        {
            Action? job = null;
            (float[] Latent, TaskCompletionSource<DecodeResult> Done)? decode = null;
            lock (_gate)
            {
                while (!_stopping && _jobs.Count == 0 && _pendingDecode is null) Monitor.Wait(_gate);
                if (_stopping) return;
                if (_jobs.Count > 0) job = _jobs.Dequeue();
                else
                {
                    decode = _pendingDecode;
                    _pendingDecode = null;
                }
            }
            if (job is not null) job();
            else if (decode is { } d)
            {
                try
                {
                    var clock = Stopwatch.StartNew();
                    var audio = _runner.Decode([d.Latent])[0];
                    d.Done.TrySetResult(new DecodeResult(audio, clock.Elapsed.TotalMilliseconds, false));
                }
                catch (Exception e) { d.Done.TrySetException(e); }
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            _pendingDecode?.Done.TrySetResult(new DecodeResult(null, 0, Superseded: true));
            _pendingDecode = null;
            Monitor.PulseAll(_gate);
        }
        _worker.Join();
        while (_jobs.TryDequeue(out var job)) job();   // queued jobs still answer (they may fail on a disposed model)
    }
}
