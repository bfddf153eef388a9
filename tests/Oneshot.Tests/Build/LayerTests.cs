using System.Reflection;
using System.Text.RegularExpressions;

namespace Oneshot.Tests.Build;

/// <summary>
/// The layers of docs/architecture.md point one way. Every edge between two of Oneshot's namespaces —
/// a `using Oneshot.…` line in the sources, or any type, method or field the compiled code refers
/// to (which catches qualified names like <c>Storage.Png.Encode</c> too) — must be one the table allows.
/// </summary>
public partial class LayerTests
{
    const string Root = "Oneshot";

    [Fact]
    public void The_layer_table_is_a_line_without_cycles()
    {
        var allowed = AllowedEdges();
        foreach (var (layer, uses) in allowed)
            Assert.False(uses.Contains(layer), $"docs/architecture.md: layer {layer} may use itself through " +
                $"{string.Join(", ", uses)}: the table has a cycle.");
    }

    [Fact]
    public void No_using_line_points_against_the_layers()
    {
        var allowed = AllowedEdges();
        var problems = new List<string>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "*.cs",
            SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
                continue;
            string text = File.ReadAllText(file);
            string? from = LayerOf(NamespaceLine().Match(text) is { Success: true } m ? m.Groups[1].Value
                : file.Contains("Oneshot.Cli") ? "Oneshot.Cli" : Root);
            foreach (Match use in UsingLine().Matches(text))
                if (LayerOf(use.Groups[1].Value) is { } to && !Allowed(allowed, from!, to))
                    problems.Add($"{Path.GetRelativePath(Repository.Root, file)}: {from} uses {to} (`using " +
                        $"{use.Groups[1].Value};`)");
        }
        Assert.True(problems.Count == 0, "Edges that docs/architecture.md does not allow:\n"
            + string.Join("\n", problems));
    }

    [Fact]
    public void No_compiled_reference_points_against_the_layers()
    {
        var allowed = AllowedEdges();
        var problems = new SortedSet<string>();
        foreach (var assembly in new[] { typeof(OneshotException).Assembly, typeof(Oneshot.Cli.CliApp).Assembly })
            foreach (var type in assembly.GetTypes())
            {
                if (LayerOf(type.Namespace) is not { } from) continue;
                void Check(Type? referenced, string how)
                {
                    foreach (var t in Expand(referenced))
                        if (t.Assembly == assembly || t.Assembly == typeof(OneshotException).Assembly)
                            if (LayerOf(t.Namespace) is { } to && !Allowed(allowed, from, to))
                                problems.Add($"{type.FullName} ({from}) {how} {t.FullName} ({to})");
                }
                Check(type.BaseType, "derives from");
                foreach (var i in type.GetInterfaces()) Check(i, "implements");
                foreach (var f in type.GetFields(Il.Declared)) Check(f.FieldType, $"has a field {f.Name} of");
                foreach (var p in type.GetProperties(Il.Declared)) Check(p.PropertyType, $"has a property {p.Name} of");
                foreach (var method in Il.MethodsOf(type))
                {
                    if (method is MethodInfo mi) Check(mi.ReturnType, $"{method.Name} returns");
                    foreach (var p in method.GetParameters()) Check(p.ParameterType, $"{method.Name} takes");
                    try
                    {
                        foreach (var local in method.GetMethodBody()?.LocalVariables ?? [])
                            Check(local.LocalType, $"{method.Name} holds a");
                    }
                    catch (Exception e) when (e is InvalidOperationException or BadImageFormatException) { }
                    foreach (var (member, _, _) in Il.References(method))
                        Check(member as Type ?? member.DeclaringType, $"{method.Name} refers to");
                }
            }
        Assert.True(problems.Count == 0, "References that docs/architecture.md does not allow:\n"
            + string.Join("\n", problems.Take(50)));
    }

    [Fact]
    public void Every_namespace_of_the_code_has_a_row_in_the_table()
    {
        var allowed = AllowedEdges();
        var layers = new[] { typeof(OneshotException).Assembly, typeof(Oneshot.Cli.CliApp).Assembly }
            .SelectMany(a => a.GetTypes()).Select(t => LayerOf(t.Namespace)).OfType<string>().Distinct();
        var missing = layers.Where(l => l != Root && !allowed.ContainsKey(l)).ToList();
        Assert.True(missing.Count == 0, $"Namespaces with no row in docs/architecture.md's layer table: " +
            $"{string.Join(", ", missing)}.");
    }

    /// <summary>Oneshot.Data.Recipes → Data; Oneshot → the root; anything outside Oneshot → null.</summary>
    static string? LayerOf(string? ns)
    {
        if (ns is null || !(ns == Root || ns.StartsWith(Root + ".", StringComparison.Ordinal))) return null;
        if (ns.StartsWith("Oneshot.Tests", StringComparison.Ordinal)) return null;
        string[] parts = ns.Split('.');
        return parts.Length == 1 ? Root : parts[1];
    }

    static bool Allowed(IReadOnlyDictionary<string, HashSet<string>> allowed, string from, string to) =>
        from == to || to == Root || allowed.TryGetValue(from, out var uses) && uses.Contains(to);

    static IEnumerable<Type> Expand(Type? type)
    {
        if (type is null) yield break;
        if (type.HasElementType) { foreach (var t in Expand(type.GetElementType())) yield return t; yield break; }
        if (type.IsGenericParameter) yield break;
        yield return type;
        if (type.IsGenericType)
            foreach (var argument in type.GetGenericArguments())
                foreach (var t in Expand(argument)) yield return t;
    }

    /// <summary>The "Layers" table of docs/architecture.md, closed transitively: layer → every layer it may
    /// use.</summary>
    static Dictionary<string, HashSet<string>> AllowedEdges()
    {
        string path = Path.Combine(Repository.Root, "docs", "architecture.md");
        var direct = new Dictionary<string, string[]>();
        foreach (string line in File.ReadLines(path))
        {
            var row = TableRow().Match(line);
            if (!row.Success) continue;
            string uses = row.Groups["uses"].Value;
            direct[row.Groups["layer"].Value] = [.. Backticked().Matches(uses).Select(m => m.Groups[1].Value)];
        }
        Assert.True(direct.Count > 5, $"{path} has no layer table (rows like | `Layer` | what | `A`, `B` |).");
        foreach (var (layer, uses) in direct)
            foreach (string use in uses)
                Assert.True(direct.ContainsKey(use), $"{path}: {layer} may use {use}, which has no row of its own.");
        var closed = new Dictionary<string, HashSet<string>>();
        foreach (string layer in direct.Keys)
        {
            var reach = new HashSet<string>();
            var stack = new Stack<string>(direct[layer]);
            while (stack.Count > 0)
            {
                string next = stack.Pop();
                if (reach.Add(next)) foreach (string further in direct[next]) stack.Push(further);
            }
            closed[layer] = reach;
        }
        return closed;
    }

    [GeneratedRegex(@"^\|\s*`(?<layer>\w+)`\s*\|[^|]*\|(?<uses>[^|]*)\|\s*$")]
    private static partial Regex TableRow();

    [GeneratedRegex(@"`(\w+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^using\s+(?:static\s+)?(Oneshot[\w.]*)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingLine();
}
