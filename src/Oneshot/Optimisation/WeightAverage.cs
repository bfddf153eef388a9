using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Optimisation;

/// <summary>
/// An exponential moving average of a model's weights (shadow = d·shadow + (1 − d)·weight after each
/// applied step), as EnCodec and Stable Audio keep: the averaged weights are smoother than the last
/// step's and are what validation sees and what is saved. The decay warms up as Stable Audio's does,
/// d = min(cap, 1 − (1 + step)^−¾), so a short run is not an average of its random start.
/// <see cref="Applied"/> swaps the average in for as long as its scope lasts.
/// </summary>
public sealed class WeightAverage : IDisposable
{
    const string Prefix = "ema.";
    readonly (string Name, TorchSharp.Modules.Parameter Parameter, Tensor Shadow)[] _weights;
    readonly double _decay;

    public WeightAverage(IEnumerable<(string Name, TorchSharp.Modules.Parameter Parameter)> parameters, double decay)
    {
        if (!(decay > 0 && decay < 1))
            throw new ArgumentOutOfRangeException(nameof(decay), "The decay of a weight average lies between 0 and 1.");
        _decay = decay;
        using var _ = no_grad();
        _weights =
            [.. parameters.Select(p => (p.Name, p.Parameter, p.Parameter.detach().clone().DetachFromDisposeScope()))];
    }

    /// <summary>The decay at a step: the cap, or less while the run is young.</summary>
    public double DecayAt(long step) => Math.Min(_decay, 1 - Math.Pow(1 + step, -0.75));

    /// <param name="step">The training step just taken (0 for the first).</param>
    public void Update(long step)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        double d = DecayAt(step);
        using Scalar decay = d, rest = 1 - d;
        foreach (var (_, parameter, shadow) in _weights) shadow.mul_(decay).add_(parameter, alpha: rest);
    }

    /// <summary>The averaged weights in the model until the result is disposed; then the model's own come
    /// back.</summary>
    public IDisposable Applied()
    {
        using var _ = no_grad();
        var saved = _weights.Select(w => w.Parameter.detach().clone().DetachFromDisposeScope()).ToArray();
        foreach (var (_, parameter, shadow) in _weights) parameter.copy_(shadow);
        return new Restore(_weights.Select(w => w.Parameter).ToArray(), saved);
    }

    /// <summary>The averages as named tensors for a checkpoint (ema.NAME).</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> State() =>
        _weights.Select(w => new KeyValuePair<string, Tensor>(Prefix + w.Name, w.Shadow));

    /// <summary>
    /// Restores the averages from a checkpoint. One written without an average (the option turned
    /// on at a resume) starts it from the model's weights as they are, which must be loaded first.
    /// </summary>
    public void Load(IReadOnlyDictionary<string, Tensor> tensors, string origin)
    {
        using var _ = no_grad();
        if (!_weights.Any(w => tensors.ContainsKey(Prefix + w.Name)))
        {
            foreach (var (_, parameter, shadow) in _weights) shadow.copy_(parameter);
            return;
        }
        foreach (var (name, _, shadow) in _weights)
        {
            if (!tensors.TryGetValue(Prefix + name, out var value) || !value.shape.SequenceEqual(shadow.shape))
                throw new OneshotException($"{origin} has no weight average for '{name}' (or one of another shape); " +
                    $"the checkpoint belongs to a different model.");
            shadow.copy_(value);
        }
    }

    public void Dispose()
    {
        foreach (var (_, _, shadow) in _weights) shadow.Dispose();
    }

    sealed class Restore(TorchSharp.Modules.Parameter[] parameters, Tensor[] saved) : IDisposable
    {
        public void Dispose()
        {
            using var _ = no_grad();
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i].copy_(saved[i]);
                saved[i].Dispose();
            }
        }
    }
}
