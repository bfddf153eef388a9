using System.Collections.Concurrent;
using Oneshot.Audio;
using Oneshot.Data;
using Oneshot.Model;

namespace Oneshot.Training;

/// <summary>One training batch: clips laid out row after row, [Size, Length].</summary>
/// <param name="Attributes">With train.attributes: each clip's descriptors on their scales, row after row, [Size,
/// attributes]; NaN where a clip has none (pitch of an unpitched clip).</param>
public sealed record Batch(long Index, float[] Samples, int Size, int Length, float[]? Attributes = null);

/// <summary>
/// Prepares training batches on a background thread while the model trains on the previous one.
/// Batch b is a pure function of (seed, b): the clip order is a fresh permutation per epoch and the
/// augmentation is seeded per clip, so a resumed run sees exactly the batches it would have seen.
/// </summary>
public sealed class BatchLoader : IDisposable
{
    readonly IReadOnlyList<TrainingClip> _clips;
    readonly int _length, _sampleRate;
    readonly int _batchSize;
    readonly TrainConfig _config;
    readonly IReadOnlyList<NamedDescriptor> _attributes;
    readonly BlockingCollection<Batch> _queue = new(boundedCapacity: 3);
    readonly CancellationTokenSource _stop = new();
    readonly Thread _thread;
    Exception? _failure;
    long _cachedEpoch = -1;
    int[] _permutation = [];

    /// <param name="clips">The training clips, which may come from several datasets of the same rate and clip
    /// length.</param>
    public BatchLoader(IReadOnlyList<TrainingClip> clips, TrainConfig config, long firstBatch)
    {
        if (clips.Count == 0) throw new OneshotException("There are no training clips.");
        _clips = clips;
        _length = clips[0].Store.Length;
        _sampleRate = clips[0].Store.SampleRate;
        if (clips.Any(c => c.Store.Length != _length || c.Store.SampleRate != _sampleRate))
            throw new OneshotException("Training datasets must share one sample rate and clip length.");
        _batchSize = config.BatchSize;
        _config = config;
        _attributes = [.. config.Attributes.Select(name => NamedDescriptor.All.First(d => d.Name == name))];
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
        int length = _length;
        var samples = new float[_batchSize * length];
        var clip = new float[length];
        var attributes = _attributes.Count > 0 ? new float[_batchSize * _attributes.Count] : null;
        for (int i = 0; i < _batchSize; i++)
        {
            long position = batchIndex * _batchSize + i;
            long epoch = position / _clips.Count;
            var (store, index) = _clips[Permutation(epoch)[position % _clips.Count]];
            store.Read(index, clip);
            var random = new Random(Seeds.MixInt(_config.Seed, 0xA06, batchIndex, i));
            var output = samples.AsSpan(i * length, length);
            var drawn = Augmentation.Apply(clip, output, _sampleRate, _config, random);
            if (attributes is null) continue;
            var described = Augmentation.Describe(store.Meta[index].Descriptors, drawn, output, _sampleRate);
            for (int a = 0; a < _attributes.Count; a++)
                attributes[i * _attributes.Count + a] = _attributes[a].Scaled(described) is double value ? (float)value
                    : float.NaN;
        }
        return new Batch(batchIndex, samples, _batchSize, length, attributes);
    }

    int[] Permutation(long epoch)
    {
        if (epoch != _cachedEpoch)
        {
            var order = Enumerable.Range(0, _clips.Count).ToArray();
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
