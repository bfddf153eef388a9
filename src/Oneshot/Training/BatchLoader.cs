using System.Collections.Concurrent;
using Oneshot.Model;

namespace Oneshot.Training;

/// <summary>One training batch: clips laid out row after row, [Size, Length].</summary>
public sealed record Batch(long Index, float[] Samples, int Size, int Length);

/// <summary>
/// Prepares training batches on a background thread while the model trains on the previous one.
/// Batch b is a pure function of (seed, b): the clip order is a fresh permutation per epoch and the
/// augmentation is seeded per clip, so a resumed run sees exactly the batches it would have seen.
/// </summary>
public sealed class BatchLoader : IDisposable
{
    readonly ClipStore _store;
    readonly int[] _indices;
    readonly int _batchSize;
    readonly TrainConfig _config;
    readonly BlockingCollection<Batch> _queue = new(boundedCapacity: 3);
    readonly CancellationTokenSource _stop = new();
    readonly Thread _thread;
    Exception? _failure;
    long _cachedEpoch = -1;
    int[] _permutation = [];

    public BatchLoader(ClipStore store, int[] indices, TrainConfig config, long firstBatch)
    {
        if (indices.Length == 0) throw new OneshotException($"'{store.Directory}' has no training clips.");
        _store = store;
        _indices = indices;
        _batchSize = config.BatchSize;
        _config = config;
        _thread = new Thread(() => Produce(firstBatch)) { IsBackground = true, Name = "batch loader" };
        _thread.Start();
    }

    /// <summary>Blocks until the next batch is ready; the wait is what the benchmark reports as data time.</summary>
    public Batch Next()
    {
        try
        {
            return _queue.Take(_stop.Token);
        }
        catch (InvalidOperationException) when (_failure is not null)
        {
            throw new OneshotException($"Reading training clips failed: {_failure.Message}", _failure);
        }
    }

    void Produce(long batchIndex)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                _queue.Add(Make(batchIndex++), _stop.Token);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            _failure = e;
            _queue.CompleteAdding();
        }
    }

    /// <summary>The batch with this index, built on the calling thread.</summary>
    public Batch Make(long batchIndex)
    {
        int length = _store.Length;
        var samples = new float[_batchSize * length];
        var clip = new float[length];
        for (int i = 0; i < _batchSize; i++)
        {
            long position = batchIndex * _batchSize + i;
            long epoch = position / _indices.Length;
            int index = _indices[Permutation(epoch)[position % _indices.Length]];
            _store.Read(index, clip);
            var random = new Random(Seeds.MixInt(_config.Seed, 0xA06, batchIndex, i));
            Augmentation.Apply(clip, samples.AsSpan(i * length, length), _store.SampleRate, _config, random);
        }
        return new Batch(batchIndex, samples, _batchSize, length);
    }

    int[] Permutation(long epoch)
    {
        if (epoch != _cachedEpoch)
        {
            var order = Enumerable.Range(0, _indices.Length).ToArray();
            new Random(Seeds.MixInt(_config.Seed, 0x5A1, epoch)).Shuffle(order);
            _permutation = order;
            _cachedEpoch = epoch;
        }
        return _permutation;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _queue.Dispose();
        _stop.Dispose();
    }
}
