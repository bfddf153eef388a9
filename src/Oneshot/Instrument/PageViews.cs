using Oneshot.Audio;

namespace Oneshot.Instrument;

/// <summary>
/// What the instrument page is told about the model (GET /api/model), serialised in snake_case: its
/// size and rate, the principal directions of the training posterior (the main sliders) and the
/// named controls, measured from the same centre.
/// </summary>
public sealed record ModelView(
    string Name, string Hash, string Description, IReadOnlyList<string> TrainedOn, int LatentSize, int SampleRate,
        int ClipLength, bool TrainedPrior, int RefineSteps,
    float OutputCeiling, bool MapReady, PrincipalDirectionsView? Pca, IReadOnlyList<ControlView> Controls)
{
    public static ModelView Of(InstrumentSession session)
    {
        var runner = session.Runner;
        var latent = session.Latent;
        var config = runner.Config;
        // The datasets by folder name, as `oneshot train` was given them: what a player can read the sounds' origin
        // from.
        string[] trainedOn = [.. new[] { config.Dataset.Path }.Concat(config.Train.ExtraData).Where(p => p.Length > 0)
            .Select(p => Path.GetFileName(Path.TrimEndingDirectorySeparator(p)))];
        return new ModelView(session.ModelName, session.ModelHash, config.Describe(), trainedOn, runner.LatentSize,
            runner.SampleRate, runner.ClipLength,
            runner.HasTrainedPrior, session.RefineSteps,
            // The peak every sound leaves at (OutputLevel): the page's rendered loop keeps to it too.
            OutputLevel.Ceiling,
            // A map to show at once; else the page offers to map the training clips (minutes on a CPU).
            session.Map.Ready,
            latent is null ? null : new PrincipalDirectionsView(latent.Mean, latent.Components,
                [.. latent.ExplainedVariance.Select(Math.Sqrt)], latent.ExplainedVarianceRatio),
            [.. session.Controls.Select(c => new ControlView(c.Name, c.Descriptor, c.Source, c.Span(), c.Scale, c.Unit,
                c.Low, c.High, c.Direction, c.Std, c.RSquaredValid))]);
    }
}

public sealed record PrincipalDirectionsView(double[] Mean, double[][] Components, double[] Std, double[] Share);

/// <summary>A named control: the page reads its value in units by interpolating Low–High (at ∓2 Std) on the control's
/// fitted scale.</summary>
public sealed record ControlView(string Name, string Descriptor, string Source, string Span, string Scale, string Unit,
    double Low, double High,
                                 double[] Direction, double Std, double? RSquaredValid);

/// <summary>The sound map as the page draws it (GET /api/map): every sound's place, class, qualities, and the
/// latents.</summary>
public sealed record MapView(string Name, bool OfTrainingClips, string Layout, double[] Mean, double[][] Axes,
    double[] VarianceShare,
                             IReadOnlyList<MapSoundView> Sounds, float[][] Latents)
{
    public static MapView Of(InstrumentMap.Loaded loaded)
    {
        var map = loaded.Map;
        return new MapView(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(loaded.Directory))),
            loaded.OfTrainingClips,
            map.Layout, map.Mean, map.Axes, map.VarianceShare,
            [.. map.Sounds.Select(s =>
                new MapSoundView(Path.GetFileName(s.Source), s.Source, s.Class, s.Layout ?? s.Pca, s.Pca,
                // Null where undefined (an unpitched sound's pitch): NaN never reaches the page.
                s.Qualities.ToDictionary(q => q.Key, q => q.Value is double v
                    && double.IsFinite(v) ? v : (double?)null)))],
            loaded.Latents);
    }
}

public sealed record MapSoundView(string Name, string Source, string? Class, double[] Position, double[] Pca,
    Dictionary<string, double?> Qualities);
