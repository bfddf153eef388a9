using System.Text.Json;
using System.Xml.Linq;

namespace Oneshot.Data.Recipes;

/// <summary>
/// The one-shots of Debian's hydrogen-drumkits package: one group per kit, labelled with the kit,
/// the instrument name from the kit's drumkit.xml, and a coarse drum class.
/// </summary>
public static class DrumsRecipe
{
    public const string DefaultRoot = "/usr/share/hydrogen/data/drumkits";
    public const string Package = "hydrogen-drumkits";

    /// <summary>
    /// The kits of hydrogen-drumkits (2017.09.19, Debian 12). Other packages put kits in the same
    /// folder (hydrogen's GMRockKit, hydrogen-drumkits-effects' guitar strums); the split is drawn
    /// over all groups, so one more kit would change every split and make results incomparable.
    /// </summary>
    public static readonly string[] PackageKits =
    [
        "Audiophob", "BJA_Pacific", "ColomboAcousticDrumkit", "ElectricEmpireKit", "ForzeeStereo",
        "Gimme A Hand 1.0", "HardElectro1", "Millo-Drums_v.1", "Millo_MultiLayered2", "Millo_MultiLayered3",
        "The Black Pearl 1.0", "VariBreaks", "circAfrique v4", "rumpf_kit_z01_h2",
    ];

    public static bool IsInstalled(string root = DefaultRoot) => Directory.Exists(root);

    /// <summary>
    /// The kit folders the recipe takes: the package's kits when the folder has any of them,
    /// else every kit (a folder of one's own kits). The rest are returned as left out.
    /// </summary>
    public static (List<string> Taken, List<string> LeftOut) KitFolders(string root = DefaultRoot)
    {
        if (!Directory.Exists(root))
            throw new OneshotException($"The drums recipe needs Debian's {Package} package ('{root}' not found). " +
                $"Install it: sudo apt-get install {Package}");
        var all = Directory.GetDirectories(root).Order(StringComparer.Ordinal).ToList();
        var package = all.Where(f => PackageKits.Contains(Path.GetFileName(f), StringComparer.Ordinal)).ToList();
        return package.Count > 0 ? (package, all.Except(package).ToList()) : (all, []);
    }

    /// <param name="perGroup">At most this many sounds per kit (0 = all), chosen evenly through the kit.</param>
    public static List<ClipSource> Sources(IEnumerable<string> kitFolders, int perGroup = 0)
    {
        var sources = new List<ClipSource>();
        foreach (string kitFolder in kitFolders)
        {
            string kit = Path.GetFileName(kitFolder);
            var instruments = ReadInstrumentNames(Path.Combine(kitFolder, "drumkit.xml"));
            var files = Directory.EnumerateFiles(kitFolder, "*", SearchOption.AllDirectories)
                .Where(f => Audio.AudioFile.Extensions.Contains(Path.GetExtension(f)))
                .Order(StringComparer.Ordinal).ToList();
            foreach (string file in Recipes.EvenlySpaced(files, perGroup))
            {
                string relative = Path.GetRelativePath(kitFolder, file);
                string instrument = instruments.GetValueOrDefault(relative) ?? Path.GetFileNameWithoutExtension(file);
                var labels = new SortedDictionary<string, JsonElement>
                {
                    ["kit"] = DatasetFormat.Label(kit),
                    ["instrument"] = DatasetFormat.Label(instrument),
                    ["class"] =
                        DatasetFormat.Label(DrumClass(instrument + " " + Path.GetFileNameWithoutExtension(file))),
                };
                sources.Add(ClipSource.FromFile(file, kit, labels));
            }
        }
        return sources;
    }

    /// <summary>Sample file (relative to the kit) → instrument name, from drumkit.xml when present.</summary>
    static Dictionary<string, string> ReadInstrumentNames(string xmlPath)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(xmlPath)) return names;
        XDocument document;
        try { document = XDocument.Load(xmlPath); }
        catch (Exception e) when (e is System.Xml.XmlException or IOException) { return names; }
        foreach (var instrument in document.Descendants().Where(e => e.Name.LocalName == "instrument"))
        {
            string? name = instrument.Elements().FirstOrDefault(e => e.Name.LocalName == "name")?.Value.Trim();
            if (string.IsNullOrEmpty(name)) continue;
            foreach (var file in instrument.Descendants().Where(e => e.Name.LocalName == "filename"))
                names.TryAdd(file.Value.Trim(), name);
        }
        return names;
    }

    // Order matters: "bass drum" is a kick, "ride" a cymbal before anything else matches.
    static readonly (string Class, string[] Keys)[] Classes =
    [
        ("kick", ["kick", "bass drum", "bassdrum", "bd", "kik", "bombo"]),
        ("snare", ["snare", "sd", "sn", "rim shot"]),
        ("hihat", ["hat", "hh", "hihat", "hi-hat", "pedal"]),
        ("tom", ["tom", "floor"]),
        ("cymbal", ["cymbal", "crash", "ride", "splash", "china", "cym", "rd", "cr", "bell"]),
        ("clap", ["clap", "hand"]),
        ("stick", ["stick", "rim", "clave", "block"]),
    ];

    internal static string DrumClass(string text)
    {
        var words = System.Text.RegularExpressions.Regex.Split(text.ToLowerInvariant(), @"[^a-z]+")
            .Where(w => w.Length > 0).ToList();
        string joined = string.Join(" ", words);
        foreach (var (name, keys) in Classes)
            foreach (string key in keys)
                if (key.Contains(' ') ? joined.Contains(key)
                    : words.Any(w => w == key || (key.Length > 3 && w.Contains(key))))
                    return name;
        return "percussion";
    }
}
