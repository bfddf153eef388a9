using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Oneshot.Audio;

namespace Oneshot.Kits;

/// <summary>
/// Writes a kit for samplers: the pads as 24-bit WAVs in samples/, and beside them kit.sfz (SFZ:
/// one one-shot region per pad on its note), kit.dspreset (Decent Sampler), kit.sf2 (SoundFont 2,
/// <see cref="SoundFontWriter"/>) and a Hydrogen drumkit folder (hydrogen/NAME/drumkit.xml with its
/// own copies of the samples, as Hydrogen expects). Pads sharing a choke group cut each other off:
/// SFZ group/off_by, Decent Sampler's silencedByTags, SoundFont exclusive classes, Hydrogen's muteGroup.
/// A pad's variations are round robins (SFZ seq_length/seq_position, a Decent Sampler group with
/// seqMode round_robin, Hydrogen's ROUND_ROBIN) or velocity layers (lovel/hivel, loVel/hiVel,
/// Hydrogen's layer min/max); the SoundFont keeps each pad's own sound only.
/// kit.json is the kit as a description with every pad's latent: `oneshot kit` and the page open it
/// again and make the same kit, so a kit stays editable.
/// </summary>
public static class KitExport
{
    public const string SamplesFolder = "samples", SfzFile = "kit.sfz", DecentSamplerFile = "kit.dspreset",
        SoundFontFile = "kit.sf2", HydrogenFolder = "hydrogen",
                        DescriptionFile = "kit.json";
    const string HydrogenNamespace = "http://www.hydrogen-music.org/drumkit";

    /// <returns>The files written, relative to <paramref name="outDirectory"/>.</returns>
    public static List<string> Write(RenderedKit kit, string outDirectory)
    {
        var written = new List<string>();
        Directory.CreateDirectory(Path.Combine(outDirectory, SamplesFolder));
        // Per pad, its own sound then its variations: 01-kick.wav, 01-kick-2.wav…
        var files =
            kit.Pads.Select((pad, i) => pad.Sounds.Select((_, k) =>
            $"{i + 1:D2}-{FileSafe(pad.Name)}{(k == 0 ? "" : $"-{k + 1}")}.wav").ToList()).ToList();
        for (int i = 0; i < kit.Pads.Count; i++)
            for (int k = 0; k < files[i].Count; k++)
            {
                WavWriter.Write(Path.Combine(outDirectory, SamplesFolder, files[i][k]), kit.Pads[i].Sounds[k],
                    kit.SampleRate, WavSampleFormat.Pcm24);
                written.Add($"{SamplesFolder}/{files[i][k]}");
            }
        AtomicFile.WriteAllText(Path.Combine(outDirectory, SfzFile), Sfz(kit, files));
        written.Add(SfzFile);
        AtomicFile.WriteAllText(Path.Combine(outDirectory, DecentSamplerFile), DecentSampler(kit, files));
        written.Add(DecentSamplerFile);
        AtomicFile.WriteAllBytes(Path.Combine(outDirectory, SoundFontFile), SoundFontWriter.Encode(kit));
        written.Add(SoundFontFile);
        AtomicFile.WriteAllText(Path.Combine(outDirectory, DescriptionFile), Description(kit).ToJson());
        written.Add(DescriptionFile);

        string hydrogen = Path.Combine(HydrogenFolder, FileSafe(kit.Name));
        Directory.CreateDirectory(Path.Combine(outDirectory, hydrogen));
        foreach (string file in files.SelectMany(f => f))
            File.Copy(Path.Combine(outDirectory, SamplesFolder, file), Path.Combine(outDirectory, hydrogen, file),
                overwrite: true);
        AtomicFile.WriteAllText(Path.Combine(outDirectory, hydrogen, "drumkit.xml"), Hydrogen(kit, files));
        written.Add($"{hydrogen.Replace('\\', '/')}/drumkit.xml");
        return written;
    }

    /// <summary>The kit as a description that makes it again: each pad by its latent, with its tune, level, choke and
    /// origin.</summary>
    public static KitDescription Description(RenderedKit kit) => new()
    {
        Name = kit.Name,
        Normalize = kit.Normalize,
        Pads = [.. kit.Pads.Select(p => new PadDescription
        {
            Name = p.Name, Latent = p.Latent, Tune = p.Tune, LevelDb = p.LevelDb, Choke = p.Choke, Source = p.Source,
            Variations = p.Sounds.Count, VariationDistance = p.VariationDistance, VelocityLayers = p.VelocityLayers,
                Seed = p.Seed,
        })],
    };

    static string Sfz(RenderedKit kit, IReadOnlyList<List<string>> files)
    {
        var sfz = new StringBuilder();
        sfz.Append("// ").Append(kit.Name.ReplaceLineEndings(" ")).Append(" — made by Oneshot\n");
        sfz.Append("<control>\ndefault_path=").Append(SamplesFolder).Append("/\n\n<global>\nloop_mode=one_shot\n\n");
        for (int i = 0; i < kit.Pads.Count; i++)
        {
            var pad = kit.Pads[i];
            var velocities = pad.VelocityRanges(kit.SampleRate);
            for (int k = 0; k < files[i].Count; k++)
            {
                sfz.Append("<region>\nsample=").Append(files[i][k]).Append('\n')
                   .Append(I($"key={pad.Note}\n"));
                if (pad.VelocityLayers && files[i].Count > 1)
                    sfz.Append(I($"lovel={velocities[k].Low}\nhivel={velocities[k].High}\n"));
                else if (files[i].Count > 1) sfz.Append(I($"seq_length={files[i].Count}\nseq_position={k + 1}\n"));
                if (pad.Choke > 0) sfz.Append(I($"group={pad.Choke}\noff_by={pad.Choke}\n"));
                sfz.Append('\n');
            }
        }
        return sfz.ToString();
    }

    static string DecentSampler(RenderedKit kit, IReadOnlyList<List<string>> files)
    {
        // One group for the pads with one sound; a pad with round robins gets a group of its own, since Decent Sampler
        // cycles a group.
        var group = new XElement("group", new XAttribute("name", kit.Name));
        var groups = new XElement("groups", group);
        for (int i = 0; i < kit.Pads.Count; i++)
        {
            var pad = kit.Pads[i];
            var velocities = pad.VelocityRanges(kit.SampleRate);
            bool roundRobin = files[i].Count > 1 && !pad.VelocityLayers;
            var padGroup = group;
            if (files[i].Count > 1)
            {
                padGroup = new XElement("group", new XAttribute("name", pad.Name));
                if (roundRobin)
                    padGroup.Add(new XAttribute("seqMode", "round_robin"), new XAttribute("seqLength", files[i].Count));
                groups.Add(padGroup);
            }
            for (int k = 0; k < files[i].Count; k++)
            {
                var sample = new XElement("sample",
                    new XAttribute("path", $"{SamplesFolder}/{files[i][k]}"),
                    new XAttribute("rootNote", pad.Note), new XAttribute("loNote", pad.Note),
                        new XAttribute("hiNote", pad.Note),
                    new XAttribute("loVel", velocities[k].Low), new XAttribute("hiVel", velocities[k].High),
                    new XAttribute("trigger", "attack"), new XAttribute("loopEnabled", "false"),
                    new XAttribute("ampEnvEnabled", "false"));   // a note-off does not cut a one-shot short
                if (roundRobin) sample.Add(new XAttribute("seqPosition", k + 1));
                if (pad.Choke > 0)
                {
                    sample.Add(new XAttribute("tags", $"choke{pad.Choke}"));
                    sample.Add(new XAttribute("silencedByTags", $"choke{pad.Choke}"));
                    sample.Add(new XAttribute("silencingMode", "fast"));
                }
                padGroup.Add(sample);
            }
        }
        if (!group.HasElements) group.Remove();
        var document = new XDocument(new XElement("DecentSampler", new XAttribute("minVersion", "1.0.0"), groups));
        return document.Declaration + document.ToString() + "\n";
    }

    /// <summary>A drumkit.xml that validates against Hydrogen's drumkit.xsd (checked in the tests with
    /// xmllint).</summary>
    static string Hydrogen(RenderedKit kit, IReadOnlyList<List<string>> files)
    {
        XNamespace h = HydrogenNamespace;
        XElement E(string name, object value) => new(h + name, value);
        var instruments = new XElement(h + "instrumentList");
        for (int i = 0; i < kit.Pads.Count; i++)
        {
            var pad = kit.Pads[i];
            var velocities = pad.VelocityRanges(kit.SampleRate);
            var component = new XElement(h + "instrumentComponent", E("component_id", 0), E("gain", 1));
            for (int k = 0; k < files[i].Count; k++)   // Hydrogen's layer range: a share of full velocity
                component.Add(new XElement(h + "layer", E("filename", files[i][k]),
                    E("min", I($"{velocities[k].Low / 128.0:0.###}")),
                    E("max", I($"{(velocities[k].High + 1) / 128.0:0.###}")), E("gain", 1), E("pitch", 0)));
            instruments.Add(new XElement(h + "instrument",
                E("id", i), E("name", pad.Name), E("volume", 1), E("isMuted", "false"), E("isSoloed", "false"),
                    E("pan", 0),
                E("pitchOffset", 0), E("randomPitchFactor", 0), E("gain", 1), E("applyVelocity", "true"),
                E("filterActive", "false"), E("filterCutoff", 1), E("filterResonance", 0),
                E("Attack", 0), E("Decay", 0), E("Sustain", 1), E("Release", 1000),
                E("muteGroup", pad.Choke > 0 ? pad.Choke : -1), E("midiOutChannel", -1), E("midiOutNote", pad.Note),
                    E("isStopNote", "false"),
                E("sampleSelectionAlgo", files[i].Count > 1 && !pad.VelocityLayers ? "ROUND_ROBIN" : "VELOCITY"),
                    E("isHihat", -1), E("lower_cc", 0), E("higher_cc", 127),
                E("FX1Level", 0), E("FX2Level", 0), E("FX3Level", 0), E("FX4Level", 0),
                component));
        }
        var root = new XElement(h + "drumkit_info",
            E("name", kit.Name), E("author", "Oneshot"), E("info", "Made by Oneshot from a model's latent space."),
                E("license", "undefined license"),
            E("image", ""), E("imageLicense", "undefined license"),
            new XElement(h + "componentList",
                new XElement(h + "drumkitComponent", E("id", 0), E("name", "Main"), E("volume", 1))),
            instruments);
        var document = new XDocument(new XDeclaration("1.0", "UTF-8", null), root);
        return document.Declaration + "\n" + document.ToString() + "\n";
    }

    static string FileSafe(string name)
    {
        var safe = new string([.. name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '-')]).Trim('-');
        return safe.Length == 0 ? "pad" : safe;
    }

    static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
