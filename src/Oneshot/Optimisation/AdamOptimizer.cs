using Oneshot.TorchInterop;
using TorchSharp;
using static TorchSharp.torch;

namespace Oneshot.Optimisation;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) over named parameters. Our own so that its state (m, v, step) lives in
/// the same safetensors checkpoint as the weights, under the parameters' names, and a resumed run
/// continues bit for bit.
/// </summary>
public sealed class AdamOptimizer : IDisposable
{
    readonly (string Name, TorchSharp.Modules.Parameter Parameter)[] _parameters;
    readonly Tensor[] _m;
    readonly Tensor[] _v;
    readonly double _beta1, _beta2, _epsilon, _weightDecay;
    readonly double[] _rateScales;
    readonly string _prefix;

    /// <param name="prefix">Names the state in checkpoints (PREFIX.m.NAME, PREFIX.v.NAME), so several optimisers can
    /// share one file.</param>
    /// <param name="weightDecay">Decoupled weight decay (AdamW, Loshchilov and Hutter): the weights shrink by learning
    /// rate × this before each update.</param>
    /// <param name="rateScale">Per parameter name, a factor on the learning rate (parts new to a trained model learn
    /// faster); null: 1 for all.</param>
    public AdamOptimizer(IEnumerable<(string Name, TorchSharp.Modules.Parameter Parameter)> parameters, double beta1,
        double beta2, double epsilon, string prefix = "adam",
                         double weightDecay = 0, Func<string, double>? rateScale = null)
    {
        _weightDecay = weightDecay;
        _prefix = prefix;
        _parameters = parameters.ToArray();
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        _rateScales = _parameters.Select(p => rateScale?.Invoke(p.Name) ?? 1).ToArray();
        _m = _parameters.Select(p => zeros_like(p.Parameter).DetachFromDisposeScope()).ToArray();
        _v = _parameters.Select(p => zeros_like(p.Parameter).DetachFromDisposeScope()).ToArray();
    }

    public long Steps { get; private set; }
    public IEnumerable<Tensor> Parameters => _parameters.Select(p => (Tensor)p.Parameter);

    public void ZeroGrad()
    {
        foreach (var (_, p) in _parameters) p.grad?.zero_();
    }

    /// <summary>Global L2 norm of the gradients; scales them down to <paramref name="maxNorm"/> when above it (0 = no
    /// clipping).</summary>
    public double ClipGradients(double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var grads = _parameters.Select(p => p.Parameter.grad).Where(g => g is not null).Select(g => g!).ToArray();
        if (grads.Length == 0) return 0;
        // Summed in float64: one large but finite gradient would overflow float32 when squared.
        double norm = stack(grads.Select(g => g.to_type(ScalarType.Float64).Squared().sum()).ToArray()).sum().sqrt()
            .item<double>();
        if (maxNorm > 0 && double.IsFinite(norm) && norm > maxNorm)
        {
            using Scalar factor = maxNorm / (norm + 1e-6);
            foreach (var g in grads) g.mul_(factor);
        }
        return norm;
    }

    /// <summary>
    /// Where gradients hold NaN or ±Inf, per top-level module ("encoder 34/34, flow 0/12, decoder 0/60"),
    /// for the message about a skipped step: the module with none is downstream of the problem.
    /// </summary>
    public string DescribeNonFiniteGradients()
    {
        using var scope = NewDisposeScope();
        return string.Join(", ", _parameters.Where(p => p.Parameter.grad is not null)
            .GroupBy(p => p.Name.Split('.')[0])
            .Select(group => $"{group.Key} {group.Count(p => !p.Parameter.grad!.isfinite().all().item<bool>())}/" +
                $"{group.Count()}"));
    }

    /// <summary>
    /// One optimisation step on <paramref name="loss"/>: clear the gradients, backward, clip, and
    /// update unless the gradient norm is not finite (then the weights stay as they were).
    /// </summary>
    /// <returns>The gradient norm before clipping, and the seconds spent in backward and in clipping +
    /// update.</returns>
    public (double Norm, double BackwardSeconds, double OptimizerSeconds) Minimise(Tensor loss, double gradientClip,
        double learningRate)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ZeroGrad();
        loss.backward();
        double backward = clock.Elapsed.TotalSeconds;
        double norm = ClipGradients(gradientClip);
        if (double.IsFinite(norm)) Step(learningRate);
        return (norm, backward, clock.Elapsed.TotalSeconds - backward);
    }

    public void Step(double learningRate)
    {
        Steps++;
        double correction1 = 1 - Math.Pow(_beta1, Steps);
        double correction2 = 1 - Math.Pow(_beta2, Steps);
        double stepSize = learningRate / correction1;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // Held by `using` for the whole loop: a temporary Scalar could be freed by the finaliser
        // while libtorch reads it (see TorchInterop/ScalarSafeMath.cs).
        using Scalar beta1 = _beta1, keep1 = 1 - _beta1, beta2 = _beta2, keep2 = 1 - _beta2;
        using Scalar correction = correction2, epsilon = _epsilon, step = -stepSize,
            shrink = 1 - learningRate * _weightDecay;
        for (int i = 0; i < _parameters.Length; i++)
        {
            var grad = _parameters[i].Parameter.grad;
            if (grad is null) continue;
            if (_rateScales[i] == 1)
            {
                Update(i, grad, step, shrink);
                continue;
            }
            // The few parameters with a rate of their own (grown decoder parts) get Scalars of their own, held as the
            // shared ones are.
            using Scalar ownStep = -stepSize * _rateScales[i],
                ownShrink = 1 - learningRate * _rateScales[i] * _weightDecay;
            Update(i, grad, ownStep, ownShrink);
        }

        void Update(int i, Tensor grad, Scalar step, Scalar shrink)
        {
            if (_weightDecay > 0) _parameters[i].Parameter.mul_(shrink);
            _m[i].mul_(beta1).add_(grad, alpha: keep1);
            _v[i].mul_(beta2).addcmul_(grad, grad, value: keep2);
            var denominator = _v[i].div(correction).sqrt_().add_(epsilon, Scalars.One);
            _parameters[i].Parameter.addcdiv_(_m[i], denominator, value: step);
        }
    }

    /// <summary>The state as named tensors (PREFIX.m.NAME, PREFIX.v.NAME) for a checkpoint.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> State()
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            yield return new($"{_prefix}.m.{_parameters[i].Name}", _m[i]);
            yield return new($"{_prefix}.v.{_parameters[i].Name}", _v[i]);
        }
    }

    public void Load(IReadOnlyDictionary<string, Tensor> tensors, long steps, string origin)
    {
        using var _ = no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            foreach (var (prefix, target) in new[] { ($"{_prefix}.m.", _m[i]), ($"{_prefix}.v.", _v[i]) })
            {
                string key = prefix + _parameters[i].Name;
                if (!tensors.TryGetValue(key, out var value) || !value.shape.SequenceEqual(target.shape))
                    throw new OneshotException($"{origin} has no optimiser state for '{_parameters[i].Name}' (or it " +
                        $"has another shape); the checkpoint belongs to a different model.");
                target.copy_(value);
            }
        }
        Steps = steps;
    }

    public void Dispose()
    {
        foreach (var t in _m.Concat(_v)) t.Dispose();
    }
}
