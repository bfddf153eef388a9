namespace Oneshot.Audio;

/// <summary>
/// How the frame-grid ripple (the decoder's frame-rate buzz) divides one decoder hop into envelope
/// frames: the same for the evaluation's measure and the training penalty, and a whole divisor of the
/// hop, so frame i sits at the same place in every hop.
/// </summary>
public static class FrameGrid
{
    /// <summary>About this many envelope frames per hop.</summary>
    public const int Positions = 32;

    /// <summary>The envelope frame in samples: the largest divisor of the hop up to hop / 32 (at least 1).</summary>
    public static int FrameSamples(int hopSamples)
    {
        int step = Math.Max(1, hopSamples / Positions);
        while (hopSamples % step != 0) step--;
        return step;
    }
}
