using Oneshot.Data;
using Oneshot.Model;
using static TorchSharp.torch;

namespace Oneshot.Prior;

/// <summary>
/// The frozen encoder's posterior for a set of clips (a split, or every clip training saw), encoded once (μ, σ, context
/// per clip), from which fresh latents z_K (after the posterior flow, when there is one) are drawn cheaply.
/// </summary>
public sealed class PosteriorSampler : IDisposable
{
    readonly WaveformVae _model;
    readonly Tensor _mean, _std, _context;

    public PosteriorSampler(WaveformVae model, ClipStore store, int[] indices, int batchSize = 16, Action<int,
        int>? progress = null)
        : this(model, indices.Length, i => store.Read(indices[i]), batchSize, progress) { }

    /// <param name="read">The i-th of <paramref name="count"/> clips (they may come from several datasets).</param>
    public PosteriorSampler(WaveformVae model, int count, Func<int, float[]> read, int batchSize = 16, Action<int,
        int>? progress = null)
    {
        _model = model;
        var means = new List<Tensor>();
        var stds = new List<Tensor>();
        var contexts = new List<Tensor>();
        model.EncodeInBatches(count, read, batchSize, (start, posterior) =>
        {
            means.Add(posterior.Mean.cpu().MoveToOuterDisposeScope());
            stds.Add(posterior.Std.cpu().MoveToOuterDisposeScope());
            contexts.Add(posterior.Context.cpu().MoveToOuterDisposeScope());
            progress?.Invoke(start + (int)posterior.Mean.shape[0], count);
        });
        int n = model.Config.LatentSize;
        _mean = (means.Count > 0 ? cat(means, 0) : zeros(0, n)).DetachFromDisposeScope();
        _std = (stds.Count > 0 ? cat(stds, 0) : zeros(0, n)).DetachFromDisposeScope();
        _context = (contexts.Count > 0 ? cat(contexts, 0) : zeros(0, model.Config.ContextSize))
            .DetachFromDisposeScope();
        foreach (var t in means.Concat(stds).Concat(contexts)) t.Dispose();
        Count = count;
    }

    public int Count { get; }

    /// <summary>One fresh latent per listed clip: [rows, N] float32.</summary>
    public Tensor Draw(Tensor rows, Generator generator)
    {
        using var _ = no_grad();
        var device = _model.parameters().First().device;
        Tensor Pick(Tensor values) => values.index_select(0, rows).to(device);
        return _model.SamplePosterior(new Posterior(Pick(_mean), Pick(_std), Pick(_context)), generator).Z.cpu();
    }

    /// <summary><paramref name="draws"/> latents per clip, clip by clip: [Count·draws, N].</summary>
    public Tensor DrawAll(int draws, Generator generator) =>
        Draw(tensor(Enumerable.Range(0, Count).Select(i => (long)i).ToArray()).repeat_interleave(draws), generator);

    public void Dispose()
    {
        _mean.Dispose();
        _std.Dispose();
        _context.Dispose();
    }
}
