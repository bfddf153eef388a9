using System.Text.Json;
using Oneshot.Audio;

namespace Oneshot.Data.Recipes;

/// <summary>Which notes the notes recipe renders (NSynth-like: programs × pitches × velocities).</summary>
public sealed record NotesSettings
{
    /// <summary>A spread over the General MIDI families: keys, mallets, organ, guitars, basses, strings, brass, reeds,
    /// pipes, synths, ethnic.</summary>
    public IReadOnlyList<int> Programs { get; init; } =
        [0, 4, 6, 11, 13, 16, 24, 27, 33, 38, 40, 45, 46, 56, 61, 65, 71, 73, 80, 81, 88, 104, 108, 114];
    public IReadOnlyList<int> Pitches { get; init; } = Enumerable.Range(0, 17).Select(i => 36 + 3 * i).ToList();
    public IReadOnlyList<int> Velocities { get; init; } = [50, 90, 127];
    /// <summary>Share of the clip during which the key is held; the release sounds in the rest.</summary>
    public double HoldFraction { get; init; } = 0.65;

    public void Validate()
    {
        if (Programs.Count == 0 || Programs.Any(p => p is < 0 or > 127))
            throw new OneshotException("--programs must list General MIDI programs 0–127.");
        if (Pitches.Count == 0 || Pitches.Any(p => p is < 0 or > 127))
            throw new OneshotException("--pitches must list MIDI notes 0–127.");
        if (Velocities.Count == 0 || Velocities.Any(v => v is < 1 or > 127))
            throw new OneshotException("--velocities must list MIDI velocities 1–127.");
        if (HoldFraction is <= 0 or > 1) throw new OneshotException("The hold fraction must be in (0, 1].");
    }
}

/// <summary>
/// Instrument notes rendered from the General MIDI SoundFont of Debian's fluid-soundfont-gm
/// through libfluidsynth; one group per program. Each worker thread renders with its own synth.
/// </summary>
public sealed class NotesRecipe : IDisposable
{
    public const string DefaultSoundFont = "/usr/share/sounds/sf2/FluidR3_GM.sf2";
    public const string SoundFontPackage = "fluid-soundfont-gm";

    readonly FluidSynthNotes _synths;

    /// <param name="perGroup">At most this many notes per program (0 = all), spread evenly.</param>
    public NotesRecipe(NotesSettings settings, string soundFont, int sampleRate, int clipLength, int perGroup = 0)
    {
        settings.Validate();
        FluidSynth.RequireSoundFont(soundFont, DefaultSoundFont, SoundFontPackage, "notes");
        Settings = settings;
        _synths = new FluidSynthNotes(soundFont, sampleRate);
        int hold = (int)(settings.HoldFraction * clipLength);
        Sources = [.. from program in settings.Programs
                      from source in Recipes.EvenlySpaced(
                          [.. from pitch in settings.Pitches
                              from velocity in settings.Velocities
                              select Source(program, pitch, velocity, sampleRate, hold, clipLength)], perGroup)
                      select source];
    }

    public static bool IsInstalled() => File.Exists(DefaultSoundFont) && FluidSynth.IsAvailable();

    public NotesSettings Settings { get; }
    public IReadOnlyList<ClipSource> Sources { get; }

    ClipSource Source(int program, int pitch, int velocity, int sampleRate, int hold, int length)
    {
        string name = GeneralMidi.Programs[program];
        var labels = new SortedDictionary<string, JsonElement>
        {
            ["program"] = DatasetFormat.Label(program),
            ["instrument"] = DatasetFormat.Label(name),
            ["family"] = DatasetFormat.Label(GeneralMidi.Families[program / 8]),
            ["pitch"] = DatasetFormat.Label(pitch),
            ["velocity"] = DatasetFormat.Label(velocity),
        };
        string key = $"notes/program-{program:D3}/pitch-{pitch:D3}-velocity-{velocity:D3}";
        return new ClipSource(key, $"program-{program:D3} {name}", labels,
            () => new AudioData(sampleRate, _synths.RenderNote(0, program, pitch, velocity, hold, length)));
    }

    public void Dispose() => _synths.Dispose();
}
