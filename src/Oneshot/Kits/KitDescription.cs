using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oneshot.Kits;

/// <summary>
/// One pad of a kit description. Exactly one source: a <see cref="Latent"/>, a <see cref="File"/>
/// (encoded by the model), a training <see cref="Class"/> ("kick": near a training clip of that
/// class, chosen by <see cref="Seed"/>), or <see cref="Prior"/> (a draw from the model's prior).
/// </summary>
public sealed record PadDescription
{
    public string? Name { get; init; }
    public float[]? Latent { get; init; }
    public string? File { get; init; }
    public string? Class { get; init; }
    public bool Prior { get; init; }
    public int Seed { get; init; } = 1;
    /// <summary>Prior draws: the temperature; class pads: how far from the training clip (in its posterior's spread),
    /// 0.3 by default.</summary>
    public double? Temperature { get; init; }
    /// <summary>Retuning in semitones, as a sampler plays it (pitch and length together).</summary>
    public double Tune { get; init; }
    public double LevelDb { get; init; }
    /// <summary>Pads with the same choke group cut each other off (an open and a closed hi-hat); 0: none.</summary>
    public int Choke { get; init; }
    /// <summary>Where a latent came from ("near training clip … (kick), seed 3"): written into an exported kit.json,
    /// read back as a note only.</summary>
    public string? Source { get; init; }
    /// <summary>
    /// Sounds per pad: its own and, from the second on, neighbours in the latent space (<see
    /// cref="KitBuilder.Neighbours"/>), played in turn as round robins so a repeated hit is never
    /// twice the same — or, with <see cref="VelocityLayers"/>, across the velocity range; 1: the pad's sound alone.
    /// </summary>
    public int Variations { get; init; } = 1;
    /// <summary>How far the neighbours lie, as a share of the training latents' spread per dimension.</summary>
    public double VariationDistance { get; init; } = KitBuilder.DefaultVariationDistance;
    /// <summary>Lay the variations out as velocity layers, the dullest (lowest spectral centroid) softest, instead of
    /// round robins.</summary>
    public bool VelocityLayers { get; init; }
}

/// <summary>A kit description (JSON): a name and up to 16 pads, played from MIDI note 36 up.</summary>
public sealed record KitDescription
{
    public const int MaxPads = 16, FirstNote = 36, MaxVariations = 8;
    public string Name { get; init; } = "Oneshot kit";
    /// <summary>Each pad's sound brought to a peak of <see cref="NormalizedPeakDb"/> before its level_db: pads of even
    /// loudness to balance in the mix.</summary>
    public bool Normalize { get; init; }
    public const double NormalizedPeakDb = -1;
    public PadDescription[] Pads { get; init; } = [];

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Reads and checks a kit description; every problem names the file and the pad.</summary>
    public static KitDescription Load(string path)
    {
        if (!System.IO.File.Exists(path)) throw new OneshotException($"Kit description '{path}' does not exist.");
        return Parse(System.IO.File.ReadAllText(path), $"'{path}'");
    }

    /// <summary>Reads and checks a kit description from its JSON; <paramref name="origin"/> names it in
    /// errors.</summary>
    public static KitDescription Parse(string json, string origin)
    {
        KitDescription kit;
        try
        {
            kit = JsonSerializer.Deserialize<KitDescription>(json, Json)
                ?? throw new OneshotException($"{origin} is empty.");
        }
        catch (JsonException e) { throw new OneshotException($"{origin} is not a kit description: {e.Message}", e); }
        if (kit.Pads.Length is 0 or > MaxPads)
            throw new OneshotException($"{origin} has {kit.Pads.Length} pads; a kit has 1 to {MaxPads}.");
        for (int i = 0; i < kit.Pads.Length; i++) CheckPad(kit.Pads[i], $"{origin}, pad {i + 1}");
        return kit;
    }

    /// <summary>One pad's checks: exactly one source, tune, level and choke in range.</summary>
    public static void CheckPad(PadDescription pad, string origin)
    {
        int sources = (pad.Latent is null ? 0 : 1) + (pad.File is null ? 0 : 1) + (pad.Class is null ? 0 : 1)
            + (pad.Prior ? 1 : 0);
        if (sources != 1)
            throw new OneshotException($"{origin}: give exactly one of \"latent\", \"file\", \"class\" or \"prior\": " +
                $"true (it has {sources}).");
        if (Math.Abs(pad.Tune) > 24 || !double.IsFinite(pad.LevelDb) || pad.LevelDb > 24 || pad.Choke < 0)
            throw new OneshotException($"{origin}: tune must be within ±24 semitones, level_db at most +24, choke 0 " +
                $"or more.");
        if (pad.Variations is < 1 or > MaxVariations || !(pad.VariationDistance is > 0 and <= 2))
            throw new OneshotException($"{origin}: variations must be 1 to {MaxVariations} (it is {pad.Variations}) " +
                $"and variation_distance above 0 and at most 2 (it is {pad.VariationDistance}).");
    }

    /// <summary>The description as JSON, in the form <see cref="Parse"/> reads.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Written);

    static readonly JsonSerializerOptions Written = new(Json)
        { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static PadDescription ParsePad(string json, string origin)
    {
        PadDescription pad;
        try
        {
            pad = JsonSerializer.Deserialize<PadDescription>(json, Json)
                ?? throw new OneshotException($"{origin} is empty.");
        }
        catch (JsonException e) { throw new OneshotException($"{origin} is not a pad: {e.Message}", e); }
        CheckPad(pad, origin);
        return pad;
    }
}
