using Oneshot.Model;
using static TorchSharp.torch;

namespace Oneshot.Generation;

/// <summary>
/// Encoding by optimisation: starts from the encoder's latent and moves it by gradient descent
/// (Adam, <see cref="LatentSearch"/>) on the training's reconstruction loss between the decoded clip and the given one.
/// The encoder only predicts a latent, and for sounds unlike its training set it predicts a poor one;
/// the decoder may still make a closer sound from another latent. Costs a decoder pass forward and
/// back per step, so it is for encoding a user's own sounds, not for real-time use.
/// </summary>
public static class LatentRefiner
{
    /// <summary>What `encode` and `reconstruct` do unless told otherwise: about 2.5 s per sound on 2 cores
    /// (docs/benchmarks.md).</summary>
    public const int DefaultSteps = 30;

    /// <summary>For entry points that take a step count from the user, so a bad one fails before any work.</summary>
    public static void CheckSteps(int steps)
    {
        if (steps < 0) throw new OneshotException($"--refine {steps} must be 0 or more steps.");
    }

    /// <param name="start">The encoder's latents of the clips, [count][N].</param>
    /// <param name="progress">Called with the number of clips finished after each batch.</param>
    public static float[][] Refine(WaveformVae model, IReadOnlyList<float[]> clips, IReadOnlyList<float[]> start,
        int steps,
        int batchSize = 8, Action<int>? progress = null)
    {
        CheckSteps(steps);
        if (clips.Count != start.Count) throw new ArgumentException("One starting latent per clip is needed.");
        if (steps == 0) return [.. start.Select(z => z.ToArray())];
        var device = model.parameters().First().device;
        var result = new List<float[]>();
        using var held = LatentSearch.HoldWeights(model);
        using var loss = new ReconstructionLoss(model.Config);
        foreach (var batch in clips.Zip(start).Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var audio = stack(batch.Select(b => tensor(b.First)).ToArray()).to(device);
            Tensor targetBands;
            using (no_grad()) targetBands = model.AnalysisBands(audio);
            var starting = stack(batch.Select(b => tensor(b.Second)).ToArray()).to(device);
            var refined = LatentSearch.Refine(model, loss, audio, targetBands, starting, steps).cpu();
            for (int i = 0; i < batch.Length; i++) result.Add(refined[i].data<float>().ToArray());
            progress?.Invoke(batch.Length);
        }
        return [.. result];
    }
}
