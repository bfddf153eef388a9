using System.Text.Json;
using System.Xml.Linq;
using Oneshot.Audio;
using Oneshot.Generation;
using Oneshot.Tests.Cli;
using Oneshot.Tests.Training;

namespace Oneshot.Tests.Kits;

// Alone: the tiny model takes its initial weights from libtorch's process-wide generator, which
// other test classes reseed; with a different model each run, some runs made pads too alike for
// the SoundFont check (it failed once in a full run and passed alone).
[Collection(ExactRunsCollection.Name)]
public class KitTests
{
    [Fact]
    public void A_kit_description_becomes_wavs_sfz_decent_sampler_and_a_hydrogen_kit_that_validates()
    {
        using var dir = new TempDir();
        string model = TinyData.TrainModel(dir, TinyData.Build(dir));
        float[] latent;
        using (var runner = new ModelRunner(model)) latent = runner.SampleLatents(1, 0.5, seed: 2)[0];
        WavWriter.Write(dir.File("tone.wav"), Signals.Sine(330, 8000, 8000, 0.5), 8000);
        File.WriteAllText(dir.File("kit.json"), JsonSerializer.Serialize(new
        {
            name = "Test kit",
            pads = new object[]
            {
                new { name = "kick", @class = "kick", seed = 3 },
                new { name = "closed hat", @class = "hihat", choke = 1 },
                new { name = "open hat", @class = "hihat", seed = 2, choke = 1, tune = -2.0 },
                new { name = "from file", file = "tone.wav", level_db = -6.0 },
                new { name = "drawn", prior = true, seed = 7 },
                new { latent },
            },
        }));

        var (code, output, error) = CliTests.Oneshot("kit", dir.File("kit.json"), "--model", model, "--out",
            dir.File("kit"));
        Assert.True(code == 0, error + output);
        string kit = dir.File("kit");

        // SFZ: one one-shot region per pad on notes 36 up, every sample there, the hats choking each other.
        var regions = File.ReadAllText(Path.Combine(kit, "kit.sfz")).Split("<region>").Skip(1).ToList();
        Assert.Equal(6, regions.Count);
        for (int i = 0; i < regions.Count; i++)
        {
            var fields = regions[i].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => l.Contains('=')).ToDictionary(l => l.Split('=')[0], l => l.Split('=', 2)[1]);
            Assert.Equal((36 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), fields["key"]);
            var audio = AudioFile.Read(Path.Combine(kit, "samples", fields["sample"]));
            Assert.Equal(8000, audio.SampleRate);
            Assert.True(audio.Channels[0].Max(Math.Abs) > 0, "a pad is not silent");
            Assert.Equal(i is 1 or 2, fields.ContainsKey("off_by"));
        }
        Assert.Contains("loop_mode=one_shot", File.ReadAllText(Path.Combine(kit, "kit.sfz")));

        // Decent Sampler: every sample path exists.
        var samples = XDocument.Load(Path.Combine(kit, "kit.dspreset")).Descendants("sample").ToList();
        Assert.Equal(6, samples.Count);
        Assert.All(samples, s => Assert.True(File.Exists(Path.Combine(kit, s.Attribute("path")!.Value))));
        Assert.All(samples, s => Assert.Equal("false", s.Attribute("ampEnvEnabled")?.Value));

        // Hydrogen: drumkit.xml valid against the drumkit.xsd Hydrogen ships, and its layers' files beside it.
        string drumkit = Path.Combine(kit, "hydrogen", "Test-kit", "drumkit.xml");
        Tools.Run("xmllint", "--noout", "--schema", "/usr/share/hydrogen/data/xsd/drumkit.xsd", drumkit);
        XNamespace h = "http://www.hydrogen-music.org/drumkit";
        var layers = XDocument.Load(drumkit).Descendants(h + "filename").Select(f => f.Value).ToList();
        Assert.Equal(6, layers.Count);
        Assert.All(layers, f => Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(drumkit)!, f))));

        // SoundFont 2: libfluidsynth loads it, and each key plays its own pad's sample. FluidSynth starts a
        // note on its next 64-sample block, so the comparison allows that lag; a tiny model makes some pads
        // all but the same sound, so a key need only sound more like its pad than like the pads that differ.
        var pads = Enumerable.Range(1, 6)
            .Select(i =>
            AudioFile.Read(Directory.GetFiles(Path.Combine(kit, "samples"), $"{i:D2}-*.wav").Single()).Channels[0])
            .ToList();
        // Each pad ends where it falls silent (at most the model's clip), faded to zero.
        Assert.All(pads, p =>
            Assert.True(p.Length <= 8192 && Math.Abs(p[^1]) < 1e-4, $"a pad of {p.Length} samples ends at {p[^1]}"));
        // Each note on a synth of its own (FluidSynthNotes): a pad now rings to its end after a note-off,
        // and libfluidsynth's system reset would leave it ringing under the next note.
        using (var synth = new Oneshot.Data.Recipes.FluidSynthNotes(Path.Combine(kit, "kit.sf2"), 8000))
        {
            Assert.Equal([("Test kit", 0, 0), ("Test kit", 128, 0)],
                synth.Presets().Select(p => (p.Name, p.Bank, p.Program)).OrderBy(p => p.Bank));
            for (int pad = 0; pad < 6; pad++)
            {
                float[] played = synth.RenderNote(0, 0, 36 + pad, 127, 4000, 4000)[0];
                Assert.True(played.Max(Math.Abs) > 0.001, $"note {36 + pad} is silent");
                double own = LaggedSimilarity(played, pads[pad]);
                Assert.True(own > 0.8, $"note {36 + pad} sounds unlike its pad (similarity {own:F2})");
                foreach (int other in Enumerable.Range(0, 6).Where(k =>
                    LaggedSimilarity(pads[k], pads[pad], maximumLag: 0) < 0.95))
                    Assert.True(own > LaggedSimilarity(played, pads[other]),
                        $"note {36 + pad} sounds more like pad {other + 1} than its own");
            }
            // As a DAW plays it: no program change, MIDI channel 1 and the General MIDI drum channel 10 both
            // sound, and a 5-tick note (~5 ms at 120 bpm) plays the pad to its end as a held note does.
            int kick = Enumerable.Range(0, 6).MaxBy(p => pads[p].Max(Math.Abs));
            float[] Play(int channel, int holdSamples)
            {
                using var fresh = new Oneshot.Data.Recipes.FluidSynth(Path.Combine(kit, "kit.sf2"), 8000);
                return fresh.RenderOnChannel(channel, 36 + kick, 127, holdSamples, 8000)[0];
            }
            double Rms(float[] x, int from, int to) =>
                Math.Sqrt(x[from..to].Select(v => (double)v * v).Average() + 1e-30);
            foreach (int channel in new[] { 0, 9 })
            {
                float[] held = Play(channel, 8000), tapped = Play(channel, 40);
                Assert.True(LaggedSimilarity(held, pads[kick]) > 0.8, $"channel {channel + 1} does not play the pad");
                Assert.True(Rms(held, 800, 4000) > 1e-3, $"the held note on channel {channel + 1} is silent after " +
                    $"0.1 s, so its tail proves nothing");
                double tail = 20 * Math.Log10(Rms(tapped, 800, 4000) / Rms(held, 800, 4000));
                Assert.True(Math.Abs(tail) < 1, $"on channel {channel + 1} a 5 ms note's tail (0.1–0.5 s) is " +
                    $"{tail:F1} dB from a held note's");
            }
        }

        // The same description makes the same kit.
        (code, output, error) = CliTests.Oneshot("kit", dir.File("kit.json"), "--model", model, "--out",
            dir.File("again"));
        Assert.True(code == 0, error + output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(kit, "samples", "01-kick.wav")),
            File.ReadAllBytes(Path.Combine(dir.File("again"), "samples", "01-kick.wav")));

        // The kit.json written with it opens again as a description, every pad a latent with its tune, level, choke and
        // origin, and makes the same kit.
        var reopened = Oneshot.Kits.KitDescription.Load(Path.Combine(kit, "kit.json"));
        Assert.All(reopened.Pads,
            p => Assert.True(p.Latent is not null && p.Class is null && p.File is null && !p.Prior));
        Assert.Equal(-2, reopened.Pads[2].Tune);
        Assert.Equal(1, reopened.Pads[2].Choke);
        Assert.Equal(-6, reopened.Pads[3].LevelDb);
        Assert.Contains("hihat", reopened.Pads[1].Source);
        (code, output, error) = CliTests.Oneshot("kit", Path.Combine(kit, "kit.json"), "--model", model, "--out",
            dir.File("reopened"));
        Assert.True(code == 0, error + output);
        foreach (string wav in Directory.GetFiles(Path.Combine(kit, "samples")))
            Assert.Equal(File.ReadAllBytes(wav),
                File.ReadAllBytes(Path.Combine(dir.File("reopened"), "samples", Path.GetFileName(wav))));
        // Written over itself, a kit.json of latents stays as it was; a description of classes and files is not
        // replaced by one.
        (code, output, error) = CliTests.Oneshot("kit", Path.Combine(kit, "kit.json"), "--model", model, "--out", kit);
        Assert.True(code == 0, error + output);
        Assert.Equal(reopened.ToJson(), Oneshot.Kits.KitDescription.Load(Path.Combine(kit, "kit.json")).ToJson());
        // Normalised: every pad peaks at −1 dBFS (before its level_db: the file pad's −6 dB stays), and kit.json keeps
        // the choice.
        File.WriteAllText(dir.File("normalized.json"), File.ReadAllText(Path.Combine(kit, "kit.json"))
            .Replace("\"normalize\": false", "\"normalize\": true"));
        (code, output, error) = CliTests.Oneshot("kit", dir.File("normalized.json"), "--model", model, "--out",
            dir.File("normalized"));
        Assert.True(code == 0, error + output);
        var peaks = Enumerable.Range(1, 6)
            .Select(i =>
            20 * Math.Log10(
            AudioFile.Read(Directory.GetFiles(Path.Combine(dir.File("normalized"), "samples"), $"{i:D2}-*.wav")
            .Single()).Channels[0].Max(Math.Abs))).ToArray();
        for (int i = 0; i < 6; i++)
            Assert.True(Math.Abs(peaks[i] - (i == 3 ? -7 : -1)) < 0.02, string.Join(", ", peaks));
        Assert.True(Oneshot.Kits.KitDescription.Load(Path.Combine(dir.File("normalized"), "kit.json")).Normalize);
        string recipe = File.ReadAllText(dir.File("kit.json"));
        (code, _, error) = CliTests.Oneshot("kit", dir.File("kit.json"), "--model", model, "--out", dir.Path);
        Assert.Equal(1, code);
        Assert.Contains("choose another --out", error);
        Assert.Equal(recipe, File.ReadAllText(dir.File("kit.json")));
    }

    [Fact]
    public void Variations_become_round_robins_or_velocity_layers_in_every_sampler_format()
    {
        using var dir = new TempDir();
        string model = TinyData.TrainModel(dir, TinyData.Build(dir));
        File.WriteAllText(dir.File("kit.json"), """
            {"name": "Rr kit", "pads": [
              {"name": "snare", "prior": true, "seed": 4, "variations": 3},
              {"name": "tom", "prior": true, "seed": 5, "variations": 2, "velocity_layers": true,
               "variation_distance": 0.5},
              {"name": "kick", "prior": true, "seed": 6}]}
            """);
        var (code, output, error) = CliTests.Oneshot("kit", dir.File("kit.json"), "--model", model, "--out",
            dir.File("kit"));
        Assert.True(code == 0, error + output);
        string kit = dir.File("kit");
        var snares = new[] { "01-snare.wav", "01-snare-2.wav",
            "01-snare-3.wav" }.Select(f => AudioFile.Read(Path.Combine(kit, "samples", f)).Channels[0]).ToList();
        // Neighbours, not copies: each round robin differs from the pad's own sound, and more from another pad's.
        float[] kick = AudioFile.Read(Path.Combine(kit, "samples", "03-kick.wav")).Channels[0];
        foreach (var variation in snares.Skip(1))
        {
            Assert.NotEqual(snares[0], variation);
            Assert.True(LaggedSimilarity(variation, snares[0], 0) > LaggedSimilarity(variation, kick, 0),
                "a round robin sounds more like another pad than its own");
        }

        // SFZ: three regions cycling on the snare's key, two velocity layers splitting 0–127 on the tom's, one region
        // for the kick.
        var regions = File.ReadAllText(Path.Combine(kit, "kit.sfz")).Split("<region>").Skip(1)
            .Select(r => r.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => l.Contains('='))
                          .ToDictionary(l => l.Split('=')[0], l => l.Split('=', 2)[1])).ToList();
        Assert.Equal(6, regions.Count);
        Assert.Equal(["1", "2", "3"], regions.Take(3).Select(r => r["seq_position"]));
        Assert.All(regions.Take(3), r => Assert.Equal("3", r["seq_length"]));
        var tomVelocities = regions.Skip(3).Take(2).Select(r => (int.Parse(r["lovel"]), int.Parse(r["hivel"])))
            .OrderBy(v => v.Item1).ToList();
        Assert.Equal([(0, 63), (64, 127)], tomVelocities);
        Assert.False(regions[5].ContainsKey("seq_length") || regions[5].ContainsKey("lovel"));
        Assert.All(regions, r => Assert.True(File.Exists(Path.Combine(kit, "samples", r["sample"]))));

        // Decent Sampler: the snare's group cycles its three samples; the tom's samples split the velocities.
        var groups = XDocument.Load(Path.Combine(kit, "kit.dspreset")).Descendants("group").ToList();
        var snareGroup = groups.Single(g => g.Attribute("seqMode")?.Value == "round_robin");
        Assert.Equal("3", snareGroup.Attribute("seqLength")!.Value);
        Assert.Equal(["1", "2", "3"], snareGroup.Elements("sample").Select(e => e.Attribute("seqPosition")!.Value));
        var tomSamples = groups.SelectMany(g => g.Elements("sample")).Where(e => e.Attribute("loNote")!.Value == "37")
            .ToList();
        Assert.Equal([("0", "63"), ("64", "127")],
            tomSamples.Select(e => (e.Attribute("loVel")!.Value, e.Attribute("hiVel")!.Value)).Order());

        // Hydrogen: valid, the snare a round robin of three layers, the tom two velocity layers.
        string drumkit = Path.Combine(kit, "hydrogen", "Rr-kit", "drumkit.xml");
        Tools.Run("xmllint", "--noout", "--schema", "/usr/share/hydrogen/data/xsd/drumkit.xsd", drumkit);
        XNamespace h = "http://www.hydrogen-music.org/drumkit";
        var instruments = XDocument.Load(drumkit).Descendants(h + "instrument").ToList();
        Assert.Equal("ROUND_ROBIN", instruments[0].Element(h + "sampleSelectionAlgo")!.Value);
        Assert.Equal(3, instruments[0].Descendants(h + "layer").Count());
        Assert.Equal("VELOCITY", instruments[1].Element(h + "sampleSelectionAlgo")!.Value);
        Assert.Equal(["0", "0.5"], instruments[1].Descendants(h + "layer").Select(l => l.Element(h + "min")!.Value)
            .Order());
        Assert.All(instruments.SelectMany(i => i.Descendants(h + "filename")),
            f => Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(drumkit)!, f.Value))));

        // SoundFont 2: the tom's key has a zone per layer with the SFZ's velocity split and samples; the snare's
        // round robins have no SoundFont form (its own sound alone), the kick one zone. FluidSynth plays both layers.
        var zones = SoundFontZones(File.ReadAllBytes(Path.Combine(kit, "kit.sf2")));
        Assert.Equal([1, 2, 1], zones.GroupBy(z => z.Key).OrderBy(g => g.Key).Select(g => g.Count()));
        var sfzTom = regions.Skip(3).Take(2).ToDictionary(r => int.Parse(r["lovel"]),
            r => Path.GetFileNameWithoutExtension(r["sample"]).Replace('-', ' '));
        foreach (var zone in zones.Where(z => z.Key == 37))
            Assert.Equal(sfzTom[zone.Low], zone.Sample);
        Assert.Equal([(0, 63), (64, 127)], zones.Where(z => z.Key == 37).Select(z => (z.Low, z.High)).Order());
        using (var synth = new Oneshot.Data.Recipes.FluidSynthNotes(Path.Combine(kit, "kit.sf2"), 8000))
            foreach (int velocity in new[] { 30, 120 })
                Assert.True(synth.RenderNote(0, 0, 37, velocity, 4000, 4000)[0].Max(Math.Abs) > 0.001,
                    $"the tom is silent at velocity {velocity}");

        // kit.json keeps the variations, and makes the same round robins again.
        var reopened = Oneshot.Kits.KitDescription.Load(Path.Combine(kit, "kit.json"));
        Assert.Equal([3, 2, 1], reopened.Pads.Select(p => p.Variations));
        Assert.True(reopened.Pads[1].VelocityLayers);
        (code, output, error) = CliTests.Oneshot("kit", Path.Combine(kit, "kit.json"), "--model", model, "--out",
            dir.File("again"));
        Assert.True(code == 0, error + output);
        foreach (string wav in Directory.GetFiles(Path.Combine(kit, "samples")))
            Assert.Equal(File.ReadAllBytes(wav),
                File.ReadAllBytes(Path.Combine(dir.File("again"), "samples", Path.GetFileName(wav))));
    }

    /// <summary>Each instrument zone of a SoundFont 2 file: its key, velocity range and sample name, read from the
    /// pdta's igen and shdr records as the specification lays them out.</summary>
    static List<(int Key, int Low, int High, string Sample)> SoundFontZones(byte[] sf2)
    {
        byte[] Chunk(string id)
        {
            for (int i = 0; i + 8 <= sf2.Length; i++)
                if (System.Text.Encoding.ASCII.GetString(sf2, i, 4) == id)
                    return sf2[(i + 8)..(i + 8 + BitConverter.ToInt32(sf2, i + 4))];
            throw new InvalidDataException($"no {id} chunk");
        }
        byte[] igen = Chunk("igen"), shdr = Chunk("shdr");
        var zones = new List<(int, int, int, string)>();
        int key = -1, low = 0, high = 127;
        for (int i = 0; i + 4 <= igen.Length; i += 4)
        {
            int operation = BitConverter.ToUInt16(igen, i);
            if (operation == 43) (key, low, high) = (igen[i + 2], 0, 127);
            else if (operation == 44) (low, high) = (igen[i + 2], igen[i + 3]);
            else if (operation == 53)
            {
                int sample = BitConverter.ToUInt16(igen, i + 2);
                zones.Add((key, low, high, System.Text.Encoding.ASCII.GetString(shdr, 46 * sample, 20).TrimEnd('\0')));
            }
        }
        return zones;
    }

    /// <summary>Cosine similarity of the first 4,000 samples, at the best delay of <paramref name="played"/> up to a
    /// block.</summary>
    static double LaggedSimilarity(float[] played, float[] sample, int maximumLag = 64)
    {
        double best = double.MinValue;
        for (int lag = 0; lag <= maximumLag; lag++)
        {
            double ab = 0, aa = 0, bb = 0;
            for (int t = 0; t + lag < 4000; t++)
            {
                ab += played[t + lag] * sample[t];
                aa += played[t + lag] * played[t + lag];
                bb += sample[t] * sample[t];
            }
            best = Math.Max(best, ab / Math.Sqrt(aa * bb + 1e-30));
        }
        return best;
    }

    [Fact]
    public void A_wrong_pad_is_named_with_what_to_do()
    {
        using var dir = new TempDir();
        string model = TinyData.TrainModel(dir, TinyData.Build(dir));
        File.WriteAllText(dir.File("two.json"), """{"pads": [{"class": "kick", "prior": true}]}""");
        var (code, _, error) = CliTests.Oneshot("kit", dir.File("two.json"), "--model", model);
        Assert.Equal(1, code);
        Assert.Contains("pad 1", error);
        Assert.Contains("exactly one", error);

        File.WriteAllText(dir.File("class.json"), """{"pads": [{"class": "gong"}]}""");
        (code, _, error) = CliTests.Oneshot("kit", dir.File("class.json"), "--model", model, "--out", dir.File("k"));
        Assert.Equal(1, code);
        Assert.Contains("gong", error);
        Assert.Contains("kick", error);          // the classes there are

        File.WriteAllText(dir.File("kick.json"), """{"pads": [{"class": "kick"}]}""");
        (code, _, error) = CliTests.Oneshot("kit", dir.File("kick.json"), "--model", model, "--data", dir.File("moved"),
            "--out", dir.File("k"));
        Assert.Equal(1, code);
        Assert.Contains(dir.File("moved"), error);   // the folder given, not the one the model was trained on

        File.WriteAllText(dir.File("typo.json"), """{"pads": [{"prior": true, "tuning": 3}]}""");
        (code, _, error) = CliTests.Oneshot("kit", dir.File("typo.json"), "--model", model);
        Assert.Equal(1, code);
        Assert.Contains("tuning", error);
        Assert.DoesNotContain("   at ", error);

        File.WriteAllText(dir.File("many.json"), """{"pads": [{"prior": true, "variations": 9}]}""");
        (code, _, error) = CliTests.Oneshot("kit", dir.File("many.json"), "--model", model);
        Assert.Equal(1, code);
        Assert.Contains("variations must be 1 to 8", error);
    }
}
