using Oneshot.Audio;

namespace Oneshot.Data;

/// <summary>A prepared clip and what preparing it did to its source.</summary>
public sealed record ShapedClip(float[] Clip, int SourceRate, int SourceChannels, double SourceSeconds,
    double TrimmedSeconds, double GainDb, bool Cropped);

/// <summary>
/// What a clip is: decode → mono → trim leading silence → resample → fixed length with fade-out →
/// normalise. Datasets are built from it (<see cref="DatasetBuilder"/>) and every outside file a
/// model encodes goes through it (<see cref="PrepareFile"/>), so a model hears a dropped file the
/// way it heard its training data.
/// </summary>
public static class ClipPreparation
{
    /// <summary>Prepares one audio file exactly as a dataset clip.</summary>
    public static float[] PrepareFile(string path, PrepareOptions options)
    {
        if (!File.Exists(path)) throw new OneshotException($"'{path}' does not exist.");
        var (clip, skipped) = Shape(ClipSource.FromFile(path, ""), options);
        return clip?.Clip ?? throw new OneshotException($"'{path}' cannot be used: {skipped!.Reason}");
    }

    /// <summary>The clip alone, or why its source was skipped: a file played or encoded needs no descriptors, which
    /// cost most of the time.</summary>
    public static (ShapedClip? Clip, SkippedSource? Skipped) Shape(ClipSource source, PrepareOptions options)
    {
        if (source.SkipReason is { } reason) return Skip(source, reason);
        try
        {
            var audio = source.Load();
            if (audio.Length == 0) return Skip(source, "empty: the file holds no audio samples");
            if (audio.Channels.Any(c => c.Any(x => !float.IsFinite(x))))
                return Skip(source, "corrupt: the audio contains NaN or infinite samples");
            if (audio.DurationSeconds < options.MinSourceSeconds)
                return Skip(source, $"too short: {audio.DurationSeconds:0.####} s, below the " +
                    $"{options.MinSourceSeconds} s minimum");

            var mono = audio.ToMono();
            double peakDb = Loudness.PeakDb(mono);
            if (peakDb < options.SilenceThresholdDb)
                return Skip(source, audio.Truncated
                    ? $"silent in its first {AudioFile.ReadLimitSeconds} s (peak {FormatDb(peakDb)} dBFS, below the " +
                        $"{options.SilenceThresholdDb} dBFS threshold): Oneshot reads at most that much of a file, " +
                        $"{AudioFile.LeadingSilenceLimitSeconds} s of leading silence and then the clip; cut the " +
                        $"file to where the sound starts"
                    : $"silent: peak {FormatDb(peakDb)} dBFS is below the {options.SilenceThresholdDb} dBFS threshold");

            // Trim at the source rate, then resample only the span the clip needs (long files are common).
            int start = ClipShaping.LeadingSilence(mono, options.TrimThresholdDb,
                prerollSamples: audio.SampleRate / 1000);
            int needed = (int)Math.Ceiling((double)options.ClipLength * audio.SampleRate / options.SampleRate)
                + audio.SampleRate / 100;
            var span = mono.AsSpan(start, Math.Min(needed, mono.Length - start)).ToArray();
            var resampled = Resampler.Resample(span, audio.SampleRate, options.SampleRate);
            int fade = (int)Math.Round(options.FadeOutSeconds * options.SampleRate);
            var clip = ClipShaping.FixedLength(resampled, 0, options.ClipLength, fade);
            bool cropped = (mono.Length - start) * (double)options.SampleRate / audio.SampleRate > options.ClipLength;
            double gainDb = options.Normalization switch
            {
                Normalization.Peak => options.PeakDb - Loudness.PeakDb(clip),
                Normalization.Loudness =>
                    Math.Min(options.LoudnessLufs - Loudness.IntegratedLufs(clip, options.SampleRate),
                                                   options.PeakDb - Loudness.PeakDb(clip)),
                _ => 0,
            };
            if (!double.IsFinite(gainDb)) gainDb = 0;
            ClipShaping.ApplyGain(clip, gainDb);

            return (new ShapedClip(clip, audio.SampleRate, audio.ChannelCount, audio.SourceSeconds
                ?? audio.DurationSeconds, (double)start / audio.SampleRate, gainDb, cropped || audio.Truncated), null);
        }
        catch (OneshotException e)
        {
            return Skip(source, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One bad file never stops the run; the reason is kept for the report.
            return Skip(source, $"unexpected error: {e.GetType().Name}: {e.Message}");
        }
    }

    static (ShapedClip?, SkippedSource?) Skip(ClipSource source, string reason) =>
        (null, new SkippedSource(source.Key, reason));

    static string FormatDb(double db) => double.IsNegativeInfinity(db) ? "-inf" : db.ToString("0.0");
}
