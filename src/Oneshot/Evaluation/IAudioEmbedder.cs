namespace Oneshot.Evaluation;

/// <summary>Turns clips into fixed-length vectors whose distributions the metrics compare.</summary>
public interface IAudioEmbedder : IDisposable
{
    /// <summary>Short name for reports, e.g. "clap (clap-htsat-unfused.onnx)".</summary>
    string Name { get; }

    /// <summary>Identifies the embedder and its weights exactly: the key of the embedding cache.</summary>
    string Identity { get; }

    int Dimensions { get; }

    /// <summary>One row per clip; clips are mono at <paramref name="sampleRate"/>, any length.</summary>
    EmbeddingMatrix Embed(IReadOnlyList<float[]> clips, int sampleRate);
}
