namespace Oneshot.Data;

public enum Normalization { Peak, Loudness, None }

/// <summary>How a folder is split into groups; a group never spans two splits.</summary>
public enum GroupRule
{
    /// <summary>The file's parent folder (relative to the input).</summary>
    Folder,
    /// <summary>The first folder under the input (a kit, a pack).</summary>
    Top,
    /// <summary>Every file on its own (use only when files are unrelated).</summary>
    File,
}

/// <summary>Every option of dataset preparation, recorded in dataset.json.</summary>
public sealed record PrepareOptions
{
    public int SampleRate { get; init; } = 44100;
    /// <summary>Clip length in samples; 65536 ≈ 1.49 s at 44.1 kHz.</summary>
    public int ClipLength { get; init; } = 65536;
    /// <summary>Leading samples quieter than this, relative to the sound's peak, are trimmed.</summary>
    public double TrimThresholdDb { get; init; } = -50;
    /// <summary>A sound whose peak is below this (dBFS) is skipped as silent.</summary>
    public double SilenceThresholdDb { get; init; } = -70;
    public Normalization Normalization { get; init; } = Normalization.Peak;
    /// <summary>Target peak for peak normalisation, and the ceiling for loudness normalisation.</summary>
    public double PeakDb { get; init; } = -1;
    public double LoudnessLufs { get; init; } = -18;
    /// <summary>Sources shorter than this (seconds, before trimming) are skipped.</summary>
    public double MinSourceSeconds { get; init; } = 0.02;
    public double FadeOutSeconds { get; init; } = 0.01;
    public double TrainFraction { get; init; } = 0.8;
    public double ValidFraction { get; init; } = 0.1;
    public double TestFraction { get; init; } = 0.1;
    public int Seed { get; init; } = 1234;
    public GroupRule GroupBy { get; init; } = GroupRule.Folder;
    /// <summary>0 = all cores.</summary>
    public int Threads { get; init; }

    public double ClipSeconds => (double)ClipLength / SampleRate;

    /// <summary>Throws a message naming the option when a value is out of range.</summary>
    public void Validate()
    {
        if (SampleRate < 8000 || SampleRate > 192000)
            throw new OneshotException($"--sample-rate {SampleRate} is out of range: use 8000 to 192000 Hz.");
        if (ClipSeconds < 0.999 || ClipSeconds > 3.001)
            throw new OneshotException($"--length {ClipLength} samples is {ClipSeconds:0.###} s at {SampleRate} Hz; " +
                $"clips must be 1 to 3 s long ({(int)Math.Ceiling(SampleRate * 0.999)} to {SampleRate * 3} samples).");
        if (TrimThresholdDb >= 0)
            throw new OneshotException($"--trim-db {TrimThresholdDb} must be negative (dB below the peak).");
        if (SilenceThresholdDb >= 0)
            throw new OneshotException($"--silence-db {SilenceThresholdDb} must be negative (dBFS).");
        if (PeakDb > 0) throw new OneshotException($"--peak-db {PeakDb} must be at most 0 dBFS.");
        if (LoudnessLufs > 0) throw new OneshotException($"--loudness {LoudnessLufs} must be negative (LUFS).");
        if (MinSourceSeconds < 0) throw new OneshotException($"--min-seconds {MinSourceSeconds} must not be negative.");
        if (FadeOutSeconds < 0 || FadeOutSeconds > ClipSeconds / 2)
            throw new OneshotException($"--fade {FadeOutSeconds} s must be between 0 and half the clip.");
        double[] fractions = [TrainFraction, ValidFraction, TestFraction];
        if (fractions.Any(f => f < 0 || f > 1) || Math.Abs(fractions.Sum() - 1) > 1e-6)
            throw new OneshotException($"--split {TrainFraction}/{ValidFraction}/{TestFraction}: the three fractions " +
                $"must be between 0 and 1 and add up to 1.");
        if (Threads < 0) throw new OneshotException($"--threads {Threads} must be 0 (all cores) or more.");
    }
}
