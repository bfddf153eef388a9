using System.Text.Json;
using System.Text.Json.Nodes;

namespace Oneshot.Model;

/// <summary>`--set key=value` on a JSON settings tree: dotted keys, unknown keys are errors listing the known
/// ones.</summary>
public static class SettingOverrides
{
    /// <summary>
    /// Applies the assignments to <paramref name="root"/> and returns it as JSON text. A value is read
    /// as JSON when it parses (numbers, true, [4,4,2]) and as a string otherwise.
    /// </summary>
    public static string Apply(JsonObject root, IEnumerable<string> assignments, string example)
    {
        foreach (string assignment in assignments)
        {
            int equals = assignment.IndexOf('=');
            if (equals <= 0) throw new OneshotException($"--set '{assignment}': expected key=value, e.g. {example}.");
            string key = assignment[..equals].Trim();
            string text = assignment[(equals + 1)..].Trim();
            string[] path = key.Split('.');
            JsonObject parent = root;
            for (int i = 0; i < path.Length - 1; i++)
            {
                if (parent[path[i]] is not JsonObject child) throw UnknownKey(key, root);
                parent = child;
            }
            if (!parent.ContainsKey(path[^1]) || parent[path[^1]] is JsonObject) throw UnknownKey(key, root);
            parent[path[^1]] = ParseValue(text);
        }
        return root.ToJsonString();
    }

    static JsonNode? ParseValue(string text)
    {
        try { return JsonNode.Parse(text); }
        catch (JsonException) { return JsonValue.Create(text); }
    }

    static OneshotException UnknownKey(string key, JsonObject root)
    {
        var keys = new List<string>();
        void Collect(JsonObject node, string prefix)
        {
            foreach (var (name, value) in node)
                if (value is JsonObject child) Collect(child, prefix + name + ".");
                else keys.Add(prefix + name);
        }
        Collect(root, "");
        return new OneshotException($"--set {key}: no such setting. Settings are: " +
            $"{string.Join(", ", keys.Where(k => k.Contains('.')))}.");
    }
}
