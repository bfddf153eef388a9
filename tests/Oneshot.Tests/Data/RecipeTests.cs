using Oneshot.Data;
using Oneshot.Data.Recipes;
using Oneshot.Storage;

namespace Oneshot.Tests.Data;

public class RecipeTests
{
    static readonly PrepareOptions Options = new() { SampleRate = 22050, ClipLength = 32768 };

    [Fact]
    public void Synthetic_makes_kits_of_every_kind()
    {
        using var dir = new TempDir();
        using var recipe = Recipes.Open(new RecipeRequest("synthetic", Count: 24), Options);
        var result = DatasetBuilder.Build(recipe.Sources, dir.File("synthetic"), Options, recipe.Description);
        Assert.Equal(24, result.Info.Count);
        Assert.Equal(3, result.Info.Groups);
        var meta = DatasetSummary.ReadMeta(dir.File("synthetic"));
        Assert.Equal(SyntheticRecipe.Kinds.Order(), meta.Select(m => m.Labels["class"].GetString()!).Distinct()
            .Order());

        // Kinds sound like what they are called.
        double Mean(string kind, Func<ClipMeta, double> f) =>
            meta.Where(m => m.Labels["class"].GetString() == kind).Average(f);
        Assert.True(Mean("hihat", m => m.Descriptors.SpectralCentroidHz) > 3 * Mean("kick",
            m => m.Descriptors.SpectralCentroidHz));
        Assert.True(Mean("pluck", m => m.Descriptors.F0Confidence) > Mean("snare", m => m.Descriptors.F0Confidence));

        // Generation is repeatable.
        var again = SyntheticRecipe.Generate("bell", 22050, 1000, new Random(1), new Random(2));
        Assert.Equal(again, SyntheticRecipe.Generate("bell", 22050, 1000, new Random(1), new Random(2)));
    }

    [Fact]
    public void Drums_come_from_the_hydrogen_kits_with_labels()
    {
        Assert.True(DrumsRecipe.IsInstalled(), $"{DrumsRecipe.Package} is not installed; ./setup.sh test installs it");
        using var dir = new TempDir();
        using var recipe = Recipes.Open(new RecipeRequest("drums", PerGroup: 2), Options);
        int kits = DrumsRecipe.KitFolders().Taken.Count;
        Assert.Equal(DrumsRecipe.PackageKits.Length, kits);
        Assert.Equal(2 * kits, recipe.Sources.Count);

        var result = DatasetBuilder.Build(recipe.Sources, dir.File("drums"), Options, recipe.Description);
        Assert.Equal(kits, result.Info.Groups);
        Assert.InRange(result.Info.Count + result.Info.Skipped + result.Info.Duplicates, 2 * kits, 2 * kits);
        var meta = DatasetSummary.ReadMeta(dir.File("drums"));
        Assert.All(meta, m => Assert.Equal(m.Group, m.Labels["kit"].GetString()));
        Assert.All(meta, m => Assert.False(string.IsNullOrEmpty(m.Labels["instrument"].GetString())));
        Assert.Contains(meta, m => m.Labels["class"].GetString() == "kick");
        // Several source formats went through the pipeline (WAV, FLAC, AIFF in these kits).
        Assert.True(meta.Select(m => Path.GetExtension(m.Source).ToLowerInvariant()).Distinct().Count() >= 2);
    }

    [Fact]
    public void Drums_leave_out_kits_of_other_packages_so_the_splits_stay_the_same()
    {
        using var dir = new TempDir();
        string root = dir.File("drumkits");
        void Kit(string name)
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            var hit = Enumerable.Range(0, 4410).Select(i => (float)(Math.Exp(-i / 400.0) * Math.Sin(i * 0.05)))
                .ToArray();
            Oneshot.Audio.WavWriter.Write(Path.Combine(root, name, "kick.wav"), hit, 22050);
        }
        Kit("MyOwnKit");
        Kit("GMRockKit");
        // A folder of one's own kits: all of them.
        Assert.Equal(["GMRockKit", "MyOwnKit"], DrumsRecipe.KitFolders(root).Taken.Select(Path.GetFileName));

        Kit("Audiophob");
        Kit("VariBreaks");
        var (taken, leftOut) = DrumsRecipe.KitFolders(root);
        Assert.Equal(["Audiophob", "VariBreaks"], taken.Select(Path.GetFileName));
        Assert.Equal(["GMRockKit", "MyOwnKit"], leftOut.Select(Path.GetFileName));
        using var recipe = Recipes.Open(new RecipeRequest("drums", DrumKits: root), Options);
        Assert.Equal(["Audiophob", "VariBreaks"], recipe.Sources.Select(s => s.Group));
        Assert.Contains("GMRockKit, MyOwnKit", recipe.Note);
        Assert.Contains("--group-by top", recipe.Note);
    }

    [Fact]
    public void A_missing_package_or_sound_font_is_named()
    {
        var error =
            Assert.Throws<OneshotException>(() =>
            Recipes.Open(new RecipeRequest("drums", DrumKits: "/nonexistent/drumkits"), Options));
        Assert.Contains("apt-get install hydrogen-drumkits", error.Message);
        Assert.Contains("Check --soundfont", Assert.Throws<OneshotException>(() =>
            Recipes.Open(new RecipeRequest("notes", SoundFont: "/nonexistent/font.sf2"), Options)).Message);
    }

    [Theory]
    [InlineData("Kick", "kick")]
    [InlineData("Snare Rock", "snare")]
    [InlineData("Closed HH", "hihat")]
    [InlineData("Tom Low", "tom")]
    [InlineData("Ride Bell", "cymbal")]
    [InlineData("BassDrum", "kick")]
    [InlineData("bd_01", "kick")]
    [InlineData("Cowbell", "cymbal")]
    [InlineData("Shaker", "percussion")]
    public void Drum_classes_come_from_instrument_names(string name, string expected) =>
        Assert.Equal(expected, DrumsRecipe.DrumClass(name));

    [Fact]
    public void Notes_are_rendered_from_the_sound_font()
    {
        Assert.True(NotesRecipe.IsInstalled(), "libfluidsynth3 or fluid-soundfont-gm is not installed; ./setup.sh " +
            "test installs them");
        using var dir = new TempDir();
        var settings = new NotesSettings { Programs = [0, 73], Pitches = [57, 69], Velocities = [100] };
        using var recipe = Recipes.Open(new RecipeRequest("notes", Notes: settings), Options);
        var result = DatasetBuilder.Build(recipe.Sources, dir.File("notes"), Options, recipe.Description);
        Assert.Equal(4, result.Info.Count);
        var meta = DatasetSummary.ReadMeta(dir.File("notes"));
        foreach (var m in meta)
        {
            int pitch = m.Labels["pitch"].GetInt32();
            double expected = 440 * Math.Pow(2, (pitch - 69) / 12.0);
            Assert.InRange(m.Descriptors.F0Hz, expected * 0.97, expected * 1.03);
            Assert.True(m.Descriptors.F0Confidence > 0.8);
        }
        Assert.Equal(["flute", "piano"], meta.Select(m => m.Labels["family"].GetString() == "pipe" ? "flute" : "piano")
            .Distinct().Order());
        Assert.Equal(2, result.Info.Groups);

        // The note is released inside the clip: the end is much quieter than the sustain.
        var clip = NpyFile.ReadRows(Path.Combine(dir.File("notes"), DatasetFormat.ClipsFile), 0, 1);
        Assert.True(Signals.Rms(clip.AsSpan(clip.Length - 2000)) < 0.1 * Signals.Rms(clip.AsSpan(2000, 8000)));
    }

    [Fact]
    public void Gm_drum_kits_are_rendered_from_the_sound_fonts_drum_bank()
    {
        Assert.True(NotesRecipe.IsInstalled(), "libfluidsynth3 or fluid-soundfont-gm is not installed; ./setup.sh " +
            "test installs them");
        using var recipe = Recipes.Open(new RecipeRequest("gm-drums"), Options);
        Assert.Equal(GmDrumsRecipe.Kits.Length * GmDrumsRecipe.Sounds.Length * GmDrumsRecipe.Velocities.Length,
            recipe.Sources.Count);
        Assert.Equal(GmDrumsRecipe.Kits.Length, recipe.Sources.Select(s => s.Group).Distinct().Count());

        // The Standard kit's kick and closed hi-hat: from the drum bank, a low thud and a bright
        // tick (the piano's notes at those keys would both be low).
        ClipSource Sound(int key) =>
            recipe.Sources.First(s => s.Group == "GM Standard" && s.Labels["key"].GetInt32() == key);
        Assert.Equal("kick", Sound(36).Labels["class"].GetString());
        Assert.Equal("hihat", Sound(42).Labels["class"].GetString());
        var kick = Sound(36).Load().Channels[0];
        var hat = Sound(42).Load().Channels[0];
        Assert.True(Oneshot.Audio.Descriptors.Spectral(kick, Options.SampleRate).CentroidHz < 1500);
        Assert.True(Oneshot.Audio.Descriptors.Spectral(hat, Options.SampleRate).CentroidHz > 4000);
    }

    [Fact]
    public void A_rendered_note_does_not_depend_on_what_was_rendered_before_so_a_recipe_built_twice_is_the_same_bytes()
    {
        Assert.True(NotesRecipe.IsInstalled(), "libfluidsynth3 or fluid-soundfont-gm is not installed; ./setup.sh " +
            "test installs them");
        using var recipe = Recipes.Open(new RecipeRequest("gm-drums", PerGroup: 3), Options);
        using var every = Recipes.Open(new RecipeRequest("gm-drums"), Options);
        // Kick, snare, hat, then a ride's tail, then the same notes in the opposite order: a synth that kept any state
        // would change them.
        ClipSource Sound(int key) =>
            every.Sources.First(s => s.Group == "GM Standard" && s.Labels["key"].GetInt32() == key);
        var cymbal = Sound(51);
        List<ClipSource> notes = [Sound(36), Sound(38), Sound(42)];
        var forward = notes.Select(s => s.Load().Channels[0]).ToList();
        cymbal.Load();
        var backward = notes.AsEnumerable().Reverse().Select(s => s.Load().Channels[0]).Reverse().ToList();
        for (int i = 0; i < notes.Count; i++)
            Assert.True(forward[i].AsSpan().SequenceEqual(backward[i]), $"{notes[i].Key} rendered differently");

        using var dir = new TempDir();
        var first = DatasetBuilder.Build(recipe.Sources, dir.File("a"), Options, recipe.Description).Info;
        var second = DatasetBuilder.Build(recipe.Sources, dir.File("b"), Options, recipe.Description).Info;
        Assert.Equal(first.Hash, second.Hash);
        Assert.Equal(first.Splits, second.Splits);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("a"), DatasetFormat.MetaFile)),
            File.ReadAllBytes(Path.Combine(dir.File("b"), DatasetFormat.MetaFile)));
    }

    [Fact]
    public void Gm_drums_take_the_general_midi_kits_or_every_preset_of_a_drum_kit_sound_font()
    {
        Assert.True(NotesRecipe.IsInstalled(), "libfluidsynth3 or fluid-soundfont-gm is not installed; ./setup.sh " +
            "test installs them");
        using (var synth = new FluidSynth(NotesRecipe.DefaultSoundFont, 22050))
        {
            var presets = synth.Presets();
            Assert.Contains((128, 0, "Standard"), presets);
            Assert.Contains(presets, p => p.Bank == 0 && p.Program == 0);
            Assert.Equal(GmDrumsRecipe.Kits.Select(k => $"GM {k.Name}"),
                GmDrumsRecipe.ChooseKits(presets).Select(k => k.Name));
        }
        // A drum bank with other programs: all of them; no drum bank (a kit of its own): every preset.
        Assert.Equal([(128, 3, "Odd Kit")], GmDrumsRecipe.ChooseKits([(0, 0, "Piano"), (128, 3, "Odd Kit")]));
        Assert.Equal([(0, 0, "Red_Zeppelin_4pc"), (0, 1, "bank 0 program 1")],
            GmDrumsRecipe.ChooseKits([(0, 1, ""), (0, 0, "Red_Zeppelin_4pc")]));

        var error =
            Assert.Throws<OneshotException>(() =>
            Recipes.Open(new RecipeRequest("gm-drums", SoundFont: "/nonexistent/kit.sf2"), Options));
        Assert.Contains("--soundfont", error.Message);
    }
}
