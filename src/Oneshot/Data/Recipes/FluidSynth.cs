using System.Runtime.InteropServices;

namespace Oneshot.Data.Recipes;

/// <summary>
/// The few libfluidsynth (v2, Debian package libfluidsynth3) calls needed to render single notes
/// from a SoundFont. One instance is one synthesizer; it is not shared between threads.
/// </summary>
public sealed partial class FluidSynth : IDisposable
{
    const string Library = "libfluidsynth.so.3";
    public const string Package = "libfluidsynth3";

    IntPtr _settings;
    IntPtr _synth;
    readonly int _soundFont;

    public FluidSynth(string soundFontPath, int sampleRate)
    {
        EnsureAvailable();
        for (int level = 1; level <= 4; level++)
            fluid_set_log_function(level, IntPtr.Zero, IntPtr.Zero);   // keep warnings off the console
        _settings = new_fluid_settings();
        fluid_settings_setnum(_settings, "synth.sample-rate", sampleRate);
        fluid_settings_setint(_settings, "synth.reverb.active", 0);
        fluid_settings_setint(_settings, "synth.chorus.active", 0);
        fluid_settings_setnum(_settings, "synth.gain", 0.5);
        _synth = new_fluid_synth(_settings);
        if (_synth == IntPtr.Zero)
        {
            Dispose();
            throw new OneshotException("libfluidsynth could not create a synthesizer.");
        }
        _soundFont = fluid_synth_sfload(_synth, soundFontPath, 1);
        if (_soundFont < 0)
        {
            Dispose();
            throw new OneshotException($"libfluidsynth could not load the SoundFont '{soundFontPath}'.");
        }
    }

    public static bool IsAvailable() => NativeLibrary.TryLoad(Library, typeof(FluidSynth).Assembly, null, out _);

    public static void EnsureAvailable()
    {
        if (!IsAvailable())
            throw new OneshotException($"Rendering notes needs libfluidsynth ({Library}), which is not installed. " +
                $"Install it: sudo apt-get install {Package}");
    }

    /// <summary>Every preset of the loaded SoundFont: bank, program and name, in the SoundFont's order.</summary>
    public IReadOnlyList<(int Bank, int Program, string Name)> Presets()
    {
        var presets = new List<(int, int, string)>();
        IntPtr font = fluid_synth_get_sfont_by_id(_synth, _soundFont);
        if (font == IntPtr.Zero) return presets;
        fluid_sfont_iteration_start(font);
        for (IntPtr preset = fluid_sfont_iteration_next(font); preset != IntPtr.Zero;
            preset = fluid_sfont_iteration_next(font))
            presets.Add((fluid_preset_get_banknum(preset), fluid_preset_get_num(preset),
                         (Marshal.PtrToStringUTF8(fluid_preset_get_name(preset)) ?? "").Trim()));
        return presets;
    }

    /// <summary>
    /// Checks that a recipe's SoundFont exists: the default one is installed with its package,
    /// another one is the user's path to check.
    /// </summary>
    public static void RequireSoundFont(string path, string defaultPath, string package, string recipe)
    {
        EnsureAvailable();
        if (File.Exists(path)) return;
        throw new OneshotException(path == defaultPath
            ? $"The {recipe} recipe needs the SoundFont '{path}'. Install it: sudo apt-get install {package}"
            : $"The SoundFont '{path}' does not exist. Check --soundfont (a .sf2 file).");
    }

    /// <summary>Renders one note: held for <paramref name="holdSamples"/>, then released; stereo planar.</summary>
    public float[][] RenderNote(int bank, int program, int key, int velocity, int holdSamples, int totalSamples)
    {
        fluid_synth_system_reset(_synth);
        if (fluid_synth_program_select(_synth, 0, _soundFont, bank, program) != 0)
            throw new OneshotException($"The SoundFont has no preset for bank {bank}, program {program}.");
        return Play(0, key, velocity, holdSamples, totalSamples);
    }

    /// <summary>
    /// Plays a note on a MIDI channel as a sequencer would, with no program change: the channel's
    /// default preset (channel 10, index 9, is the General MIDI drum channel: bank 128, program 0).
    /// </summary>
    public float[][] RenderOnChannel(int channel, int key, int velocity, int holdSamples, int totalSamples)
    {
        fluid_synth_system_reset(_synth);
        return Play(channel, key, velocity, holdSamples, totalSamples);
    }

    /// <summary>One note on a channel as it is set up now: held, released, rendered to the end; stereo
    /// planar.</summary>
    float[][] Play(int channel, int key, int velocity, int holdSamples, int totalSamples)
    {
        var left = new float[totalSamples];
        var right = new float[totalSamples];
        fluid_synth_noteon(_synth, channel, key, velocity);
        Render(left, right, 0, Math.Min(holdSamples, totalSamples));
        fluid_synth_noteoff(_synth, channel, key);
        if (holdSamples < totalSamples) Render(left, right, holdSamples, totalSamples - holdSamples);
        return [left, right];
    }

    void Render(float[] left, float[] right, int offset, int count)
    {
        const int block = 4096;   // fluidsynth renders in small blocks; keep calls bounded
        for (int done = 0; done < count; done += block)
        {
            int n = Math.Min(block, count - done);
            if (fluid_synth_write_float(_synth, n, left, offset + done, 1, right, offset + done, 1) != 0)
                throw new OneshotException("libfluidsynth failed while rendering a note.");
        }
    }

    public void Dispose()
    {
        if (_synth != IntPtr.Zero) { delete_fluid_synth(_synth); _synth = IntPtr.Zero; }
        if (_settings != IntPtr.Zero) { delete_fluid_settings(_settings); _settings = IntPtr.Zero; }
    }

    [LibraryImport(Library)] private static partial IntPtr new_fluid_settings();
    [LibraryImport(Library)] private static partial void delete_fluid_settings(IntPtr settings);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int fluid_settings_setnum(IntPtr settings, string name, double value);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int fluid_settings_setint(IntPtr settings, string name, int value);
    [LibraryImport(Library)] private static partial IntPtr new_fluid_synth(IntPtr settings);
    [LibraryImport(Library)] private static partial void delete_fluid_synth(IntPtr synth);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int fluid_synth_sfload(IntPtr synth, string filename, int resetPresets);
    [LibraryImport(Library)]
    private static partial int fluid_synth_program_select(IntPtr synth, int channel, int soundFont, int bank,
        int preset);
    [LibraryImport(Library)]
    private static partial int fluid_synth_noteon(IntPtr synth, int channel, int key, int velocity);
    [LibraryImport(Library)] private static partial int fluid_synth_noteoff(IntPtr synth, int channel, int key);
    [LibraryImport(Library)] private static partial int fluid_synth_system_reset(IntPtr synth);
    [LibraryImport(Library)]
    private static partial IntPtr fluid_set_log_function(int level, IntPtr function, IntPtr data);
    [LibraryImport(Library)] private static partial IntPtr fluid_synth_get_sfont_by_id(IntPtr synth, int id);
    [LibraryImport(Library)] private static partial void fluid_sfont_iteration_start(IntPtr soundFont);
    [LibraryImport(Library)] private static partial IntPtr fluid_sfont_iteration_next(IntPtr soundFont);
    [LibraryImport(Library)] private static partial IntPtr fluid_preset_get_name(IntPtr preset);
    [LibraryImport(Library)] private static partial int fluid_preset_get_banknum(IntPtr preset);
    [LibraryImport(Library)] private static partial int fluid_preset_get_num(IntPtr preset);
    [LibraryImport(Library)]
    private static partial int fluid_synth_write_float(IntPtr synth, int length, [Out] float[] left, int leftOffset,
        int leftIncrement, [Out] float[] right, int rightOffset, int rightIncrement);
}

/// <summary>
/// Renders each note on a synthesizer of its own, so a note's samples depend on the note alone: a
/// synth that has played other notes keeps state that system_reset does not clear (a snare differed
/// in every sample after a ride, and by 63 samples after other notes), and recipes render in
/// parallel, in whatever order the threads take. One synth stays loaded for the preset list and
/// keeps the SoundFont's samples in libfluidsynth's cache, so each new one costs ~0.1 s, not a first load's ~0.6 s.
/// </summary>
public sealed class FluidSynthNotes(string soundFontPath, int sampleRate) : IDisposable
{
    readonly FluidSynth _catalogue = new(soundFontPath, sampleRate);

    public IReadOnlyList<(int Bank, int Program, string Name)> Presets() => _catalogue.Presets();

    /// <inheritdoc cref="FluidSynth.RenderNote"/>
    public float[][] RenderNote(int bank, int program, int key, int velocity, int holdSamples, int totalSamples)
    {
        using var synth = new FluidSynth(soundFontPath, sampleRate);
        return synth.RenderNote(bank, program, key, velocity, holdSamples, totalSamples);
    }

    public void Dispose() => _catalogue.Dispose();
}
