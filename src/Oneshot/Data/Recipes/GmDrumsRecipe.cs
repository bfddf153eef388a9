using System.Text.Json;
using Oneshot.Audio;

namespace Oneshot.Data.Recipes;

/// <summary>
/// The drum kits of a SoundFont rendered through libfluidsynth: every sound of the General MIDI
/// percussion map, in each kit, at two velocities; one group per kit. By default Debian's General
/// MIDI SoundFont (fluid-soundfont-gm, bank 128): more kits to learn from than hydrogen-drumkits
/// alone, among them an electronic kit and a TR-808.
/// </summary>
public sealed class GmDrumsRecipe : IDisposable
{
    const int DrumBank = 128;
    public static readonly int[] Velocities = [70, 120];

    /// <summary>The General MIDI kits of the drum bank (a SoundFont's numbered variants of them differ
    /// little).</summary>
    public static readonly (int Program, string Name)[] Kits =
    [
        (0, "Standard"), (8, "Room"), (16, "Power"), (24, "Electronic"), (25, "TR-808"), (32, "Jazz"), (40, "Brush"),
            (48, "Orchestra"),
    ];

    /// <summary>The General MIDI percussion map, keys 35–81, with the coarse class the drums recipe uses.</summary>
    public static readonly (int Key, string Name, string Class)[] Sounds =
    [
        (35, "Acoustic Bass Drum", "kick"), (36, "Bass Drum 1", "kick"), (37, "Side Stick", "stick"),
            (38, "Acoustic Snare", "snare"),
        (39, "Hand Clap", "clap"), (40, "Electric Snare", "snare"), (41, "Low Floor Tom", "tom"),
            (42, "Closed Hi-Hat", "hihat"),
        (43, "High Floor Tom", "tom"), (44, "Pedal Hi-Hat", "hihat"), (45, "Low Tom", "tom"),
            (46, "Open Hi-Hat", "hihat"),
        (47, "Low-Mid Tom", "tom"), (48, "Hi-Mid Tom", "tom"), (49, "Crash Cymbal 1", "cymbal"),
            (50, "High Tom", "tom"),
        (51, "Ride Cymbal 1", "cymbal"), (52, "Chinese Cymbal", "cymbal"), (53, "Ride Bell", "cymbal"),
            (54, "Tambourine", "percussion"),
        (55, "Splash Cymbal", "cymbal"), (56, "Cowbell", "percussion"), (57, "Crash Cymbal 2", "cymbal"),
            (58, "Vibraslap", "percussion"),
        (59, "Ride Cymbal 2", "cymbal"), (60, "Hi Bongo", "percussion"), (61, "Low Bongo", "percussion"),
            (62, "Mute Hi Conga", "percussion"),
        (63, "Open Hi Conga", "percussion"), (64, "Low Conga", "percussion"), (65, "High Timbale", "percussion"),
            (66, "Low Timbale", "percussion"),
        (67, "High Agogo", "percussion"), (68, "Low Agogo", "percussion"), (69, "Cabasa", "percussion"),
            (70, "Maracas", "percussion"),
        (71, "Short Whistle", "percussion"), (72, "Long Whistle", "percussion"), (73, "Short Guiro", "percussion"),
            (74, "Long Guiro", "percussion"),
        (75, "Claves", "stick"), (76, "Hi Wood Block", "stick"), (77, "Low Wood Block", "stick"),
            (78, "Mute Cuica", "percussion"),
        (79, "Open Cuica", "percussion"), (80, "Mute Triangle", "percussion"), (81, "Open Triangle", "percussion"),
    ];

    readonly FluidSynthNotes _synths;

    /// <param name="perGroup">At most this many sounds per kit (0 = all), spread evenly.</param>
    public GmDrumsRecipe(string soundFont, int sampleRate, int clipLength, int perGroup = 0)
    {
        FluidSynth.RequireSoundFont(soundFont, NotesRecipe.DefaultSoundFont, NotesRecipe.SoundFontPackage, "gm-drums");
        _synths = new FluidSynthNotes(soundFont, sampleRate);
        KitsFound = ChooseKits(_synths.Presets());
        if (KitsFound.Count == 0) throw new OneshotException($"The SoundFont '{soundFont}' has no presets to render.");
        // Drum sounds ignore the key's release mostly; half the clip held is plenty.
        int hold = clipLength / 2;
        Sources = [.. from kit in KitsFound
                      from source in Recipes.EvenlySpaced(
                          [.. from sound in Sounds
                              from velocity in Velocities
                              select Source(kit, sound, velocity, sampleRate, hold, clipLength)], perGroup)
                      select source];
    }

    public IReadOnlyList<ClipSource> Sources { get; }

    /// <summary>The kits rendered: bank, program and group name.</summary>
    public IReadOnlyList<(int Bank, int Program, string Name)> KitsFound { get; }

    /// <summary>
    /// The General MIDI kits when the drum bank has them; else every drum-bank preset; else, in a
    /// SoundFont without a drum bank (a drum kit of its own, as avldrums' are), every preset.
    /// </summary>
    internal static List<(int Bank, int Program, string Name)> ChooseKits(
        IReadOnlyList<(int Bank, int Program, string Name)> presets)
    {
        var drumBank = presets.Where(p => p.Bank == DrumBank).ToList();
        var generalMidi = Kits.Where(k => drumBank.Any(p => p.Program == k.Program))
            .Select(k => (DrumBank, k.Program, $"GM {k.Name}")).ToList();
        if (generalMidi.Count > 0) return generalMidi;
        return [.. (drumBank.Count > 0 ? drumBank : presets).OrderBy(p => p.Bank).ThenBy(p => p.Program)
                   .Select(p => (p.Bank, p.Program, string.IsNullOrEmpty(p.Name) ? $"bank {p.Bank} program {p.Program}"
                       : p.Name))];
    }

    ClipSource Source((int Bank, int Program, string Name) kit, (int Key, string Name, string Class) sound,
        int velocity, int sampleRate, int hold, int length)
    {
        string group = kit.Name;
        var labels = new SortedDictionary<string, JsonElement>
        {
            ["kit"] = DatasetFormat.Label(group),
            ["key"] = DatasetFormat.Label(sound.Key),
            ["velocity"] = DatasetFormat.Label(velocity),
        };
        // Only the drum bank promises the General MIDI map; a kit of its own puts articulations
        // (another hi-hat, a choked cymbal) on keys the map calls congas or toms.
        if (kit.Bank == DrumBank)
        {
            labels["class"] = DatasetFormat.Label(sound.Class);
            labels["instrument"] = DatasetFormat.Label(sound.Name);
        }
        string preset = kit.Bank == DrumBank ? $"{kit.Program:D3}" : $"bank-{kit.Bank:D3}-{kit.Program:D3}";
        string key = $"gm-drums/{preset}/key-{sound.Key:D3}-velocity-{velocity:D3}";
        return new ClipSource(key, group, labels,
            () =>
                new AudioData(sampleRate,
                _synths.RenderNote(kit.Bank, kit.Program, sound.Key, velocity, hold, length)));
    }

    public void Dispose() => _synths.Dispose();
}
