using System.Text;

namespace Oneshot.Kits;

/// <summary>
/// Writes a kit as a SoundFont 2 file (kit.sf2): one instrument, one zone per pad on its own key
/// with the pad's sample at its own pitch, played as a one-shot to its end however short the MIDI
/// note (a release of ~100 s: drum programming is full of short notes); choke groups become
/// SoundFont exclusive classes. A pad with velocity layers has a zone per layer on its key, each with its
/// velocity range; round robins have no SoundFont form, so such a pad plays its own sound. Two presets hold the
/// instrument: bank 0 program 0, what a melodic channel plays, and bank 128 program 0, where a General MIDI player
/// looks on the drum channel 10.
/// Layout per the SoundFont 2.01 specification: RIFF 'sfbk' with INFO, sdta (16-bit samples, each followed by 46 zero
/// samples) and pdta (phdr, pbag, pmod, pgen, inst, ibag, imod, igen, shdr, each ending in a terminal record).
/// </summary>
public static class SoundFontWriter
{
    // Generator numbers of the specification.
    const ushort ReleaseVolumeEnvelope = 38, Instrument = 41, KeyRange = 43, VelocityRange = 44, SampleId = 53,
        SampleModes = 54, ExclusiveClass = 57, OverridingRootKey = 58;
    /// <summary>The longest release the specification allows, in timecents (1200·log2 s ≈ 101 s): a note-off no longer
    /// cuts the pad.</summary>
    const ushort LongestRelease = 8000;
    /// <summary>The bank General MIDI players (FluidSynth, most DAWs' SoundFont players) select on MIDI channel
    /// 10.</summary>
    const ushort DrumBank = 128;
    const int PadSamples = 46;

    public static byte[] Encode(RenderedKit kit)
    {
        var info = List("INFO",
            Chunk("ifil", [2, 0, 1, 0]),                                   // version 2.01
            Chunk("isng", Text("EMU8000")),
            Chunk("INAM", Text(kit.Name)),
            Chunk("ISFT", Text("Oneshot")));

        // One zone per sample: a pad's own sound, or each of its velocity layers with its range.
        var zones = new List<(RenderedPad Pad, float[] Audio, string Name, (int Low, int High) Velocities)>();
        foreach (var (pad, index) in kit.Pads.Select((pad, index) => (pad, index)))
        {
            var sounds = pad.VelocityLayers ? pad.Sounds : [pad.Audio];
            var ranges = pad.VelocityLayers ? pad.VelocityRanges(kit.SampleRate) : [(0, 127)];
            for (int s = 0; s < sounds.Count; s++)
                zones.Add((pad, sounds[s], $"{index + 1:D2} {pad.Name}{(s > 0 ? $" {s + 1}" : "")}", ranges[s]));
        }

        // Sample data, with each sample's start and end in sample points.
        var data = new MemoryStream();
        var bounds = new List<(uint Start, uint End)>();
        foreach (var zone in zones)
        {
            uint start = (uint)(data.Length / 2);
            foreach (float v in zone.Audio)
                Write16(data, unchecked((ushort)(short)Math.Round(Math.Clamp(v, -1f, 1f) * 32767)));
            uint end = (uint)(data.Length / 2);
            for (int i = 0; i < PadSamples; i++) Write16(data, 0);
            bounds.Add((start, end));
        }
        var sdta = List("sdta", Chunk("smpl", data.ToArray()));

        // Both presets have one zone naming the one instrument.
        var phdr = new MemoryStream();
        WritePreset(phdr, kit.Name, preset: 0, bank: 0, bag: 0);
        WritePreset(phdr, kit.Name, preset: 0, bank: DrumBank, bag: 1);
        WritePreset(phdr, "EOP", preset: 0, bank: 0, bag: 2);
        var pbag = Records(w => { Write16(w, 0); Write16(w, 0); }, w => { Write16(w, 1); Write16(w, 0); },
            w => { Write16(w, 2); Write16(w, 0); });
        var pgen = Records(w => Generator(w, Instrument, 0), w => Generator(w, Instrument, 0), w => Generator(w, 0, 0));

        var inst = new MemoryStream();
        WriteName(inst, kit.Name); Write16(inst, 0);
        WriteName(inst, "EOI"); Write16(inst, (ushort)zones.Count);
        var ibag = new MemoryStream();
        var igen = new MemoryStream();
        ushort generators = 0;
        for (int i = 0; i < zones.Count; i++)
        {
            var (pad, _, _, velocities) = zones[i];
            Write16(ibag, generators); Write16(ibag, 0);
            // keyRange must come first in a zone, then velRange, and sampleID last.
            Write16(igen, KeyRange); igen.WriteByte((byte)pad.Note); igen.WriteByte((byte)pad.Note);
            Write16(igen, VelocityRange); igen.WriteByte((byte)velocities.Low); igen.WriteByte((byte)velocities.High);
            Generator(igen, OverridingRootKey, (ushort)pad.Note);
            Generator(igen, SampleModes, 0);                                // no loop: a one-shot
            Generator(igen, ReleaseVolumeEnvelope, LongestRelease);
            generators += 5;
            if (pad.Choke > 0) { Generator(igen, ExclusiveClass, (ushort)pad.Choke); generators++; }
            Generator(igen, SampleId, (ushort)i);
            generators++;
        }
        Write16(ibag, generators); Write16(ibag, 0);
        Generator(igen, 0, 0);

        var shdr = new MemoryStream();
        for (int i = 0; i < zones.Count; i++)
        {
            WriteName(shdr, zones[i].Name);
            Write32(shdr, bounds[i].Start); Write32(shdr, bounds[i].End);
            Write32(shdr, bounds[i].Start); Write32(shdr, bounds[i].End);     // loop points unused (sampleModes 0)
            Write32(shdr, (uint)kit.SampleRate);
            // original pitch = its key, so it plays as made
            shdr.WriteByte((byte)zones[i].Pad.Note); shdr.WriteByte(0);
            Write16(shdr, 0); Write16(shdr, 1);                                // no link; mono sample
        }
        WriteName(shdr, "EOS");
        shdr.Write(new byte[46 - 20]);

        var pdta = List("pdta",
            Chunk("phdr", phdr.ToArray()), Chunk("pbag", pbag), Chunk("pmod", new byte[10]), Chunk("pgen", pgen),
            Chunk("inst", inst.ToArray()), Chunk("ibag", ibag.ToArray()), Chunk("imod", new byte[10]),
                Chunk("igen", igen.ToArray()),
            Chunk("shdr", shdr.ToArray()));
        return Riff("sfbk", info, sdta, pdta);
    }

    static void WritePreset(Stream s, string name, ushort preset, ushort bank, ushort bag)
    {
        WriteName(s, name);
        Write16(s, preset); Write16(s, bank); Write16(s, bag);                // preset, bank, first bag
        Write32(s, 0); Write32(s, 0); Write32(s, 0);                           // library, genre, morphology
    }

    static byte[] Records(params Action<Stream>[] records)
    {
        var s = new MemoryStream();
        foreach (var record in records) record(s);
        return s.ToArray();
    }

    static void Generator(Stream s, ushort operation, ushort amount) { Write16(s, operation); Write16(s, amount); }

    /// <summary>A 20-byte name, cut to 19 characters of ASCII and zero-padded.</summary>
    static void WriteName(Stream s, string name)
    {
        var bytes = new byte[20];
        var ascii = Encoding.ASCII.GetBytes(new string([.. name.Select(c => c < 128 ? c : '?')]));
        Array.Copy(ascii, bytes, Math.Min(19, ascii.Length));
        s.Write(bytes);
    }

    /// <summary>A zero-terminated string padded to an even length, as INFO sub-chunks are.</summary>
    static byte[] Text(string text)
    {
        var ascii = Encoding.ASCII.GetBytes(new string([.. text.Take(255).Select(c => c < 128 ? c : '?')]));
        var bytes = new byte[(ascii.Length + 2) & ~1];
        ascii.CopyTo(bytes, 0);
        return bytes;
    }

    static byte[] Chunk(string id, byte[] body)
    {
        var s = new MemoryStream();
        s.Write(Encoding.ASCII.GetBytes(id));
        Write32(s, (uint)body.Length);
        s.Write(body);
        if (body.Length % 2 == 1) s.WriteByte(0);
        return s.ToArray();
    }

    static byte[] List(string type, params byte[][] chunks) =>
        Chunk("LIST", [.. Encoding.ASCII.GetBytes(type), .. chunks.SelectMany(c => c)]);

    static byte[] Riff(string type, params byte[][] chunks) =>
        Chunk("RIFF", [.. Encoding.ASCII.GetBytes(type), .. chunks.SelectMany(c => c)]);

    static void Write16(Stream s, ushort value) { s.WriteByte((byte)value); s.WriteByte((byte)(value >> 8)); }
    static void Write32(Stream s, uint value) { Write16(s, (ushort)value); Write16(s, (ushort)(value >> 16)); }
}
