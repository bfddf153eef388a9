using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Oneshot.Storage;

/// <summary>
/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON
/// header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}
/// padded with spaces to a multiple of 8, then the raw little-endian tensor bytes back to back.
/// Written atomically; read with every offset checked so a truncated file is an error, not garbage.
/// </summary>
public static class Safetensors
{
    const string MetadataKey = "__metadata__";
    const long MaxHeaderBytes = 100_000_000;

    static readonly Dictionary<ScalarType, (string Name, int Size)> DTypes = new()
    {
        [ScalarType.Float32] = ("F32", 4),
        [ScalarType.Float64] = ("F64", 8),
        [ScalarType.Float16] = ("F16", 2),
        [ScalarType.BFloat16] = ("BF16", 2),
        [ScalarType.Int64] = ("I64", 8),
        [ScalarType.Int32] = ("I32", 4),
        [ScalarType.Int16] = ("I16", 2),
        [ScalarType.Int8] = ("I8", 1),
        [ScalarType.Byte] = ("U8", 1),
        [ScalarType.Bool] = ("BOOL", 1),
    };

    /// <summary>Writes the tensors (in name order) and optional string metadata.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string,
        string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors writing assumes a little-endian machine");
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) meta[key] = value;
            header[MetadataKey] = meta;
        }
        long offset = 0;
        var contiguous = new List<Tensor>(names.Count);
        try
        {
            foreach (string name in names)
            {
                var tensor = tensors[name];
                if (!DTypes.TryGetValue(tensor.dtype, out var dtype))
                    throw new ArgumentException($"safetensors cannot store {tensor.dtype} ('{name}')");
                var cpu = tensor.detach().cpu().contiguous();
                contiguous.Add(cpu);
                long bytes = cpu.numel() * dtype.Size;
                header[name] = new JsonObject
                {
                    ["dtype"] = dtype.Name,
                    ["shape"] = new JsonArray(cpu.shape.Select(d => (JsonNode)d).ToArray()),
                    ["data_offsets"] = new JsonArray(offset, offset + bytes),
                };
                offset += bytes;
            }
            byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
            int padded = (json.Length + 7) / 8 * 8;
            using var stream = AtomicFile.Create(path, out string temporary);
            try
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
                stream.Write(length);
                stream.Write(json);
                for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
                foreach (var cpu in contiguous) stream.Write(cpu.bytes);
                stream.Flush(flushToDisk: true);
                stream.Dispose();
                AtomicFile.Commit(temporary, path);
            }
            catch
            {
                stream.Dispose();
                AtomicFile.TryDelete(temporary);
                throw;
            }
        }
        finally
        {
            foreach (var cpu in contiguous) cpu.Dispose();
        }
    }

    /// <summary>A file's tensors (on the CPU, outside any dispose scope) and metadata.</summary>
    public sealed class Contents(Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata) : IDisposable
    {
        public Dictionary<string, Tensor> Tensors { get; } = tensors;
        public Dictionary<string, string> Metadata { get; } = metadata;
        public void Dispose() { foreach (var t in Tensors.Values) t.Dispose(); }
    }

    /// <summary>A file's metadata alone, read from its header without the tensors.</summary>
    public static Dictionary<string, string> ReadMetadata(string path)
    {
        if (!File.Exists(path)) throw new OneshotException($"'{path}' does not exist.");
        using var stream = File.OpenRead(path);
        var lengthBytes = new byte[8];
        if (stream.Read(lengthBytes, 0, 8) < 8)
            throw new OneshotException($"'{path}' is not a valid safetensors file: shorter than its 8-byte header " +
                $"length.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes || 8 + (long)headerLength > stream.Length)
            throw new OneshotException($"'{path}' is not a valid safetensors file: header length {headerLength} does " +
                $"not fit the file.");
        var header = new byte[(int)headerLength];
        stream.ReadExactly(header);
        var metadata = new Dictionary<string, string>();
        try
        {
            if (JsonNode.Parse(header) is JsonObject root && root[MetadataKey] is JsonObject meta)
                foreach (var (key, value) in meta) metadata[key] = value?.GetValue<string>() ?? "";
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new OneshotException($"'{path}' is not a valid safetensors file: header is not JSON ({e.Message}).");
        }
        return metadata;
    }

    public static Contents Load(string path)
    {
        if (!File.Exists(path)) throw new OneshotException($"'{path}' does not exist.");
        byte[] bytes = File.ReadAllBytes(path);
        OneshotException Corrupt(string why) => new($"'{path}' is not a valid safetensors file: {why}.");
        if (bytes.Length < 8) throw Corrupt("shorter than its 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || 8 + (long)headerLength > bytes.Length)
            throw Corrupt($"header length {headerLength} does not fit the file ({bytes.Length} bytes)");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength))?.AsObject() ?? throw Corrupt("empty header");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw Corrupt($"header is not a JSON object ({e.Message})");
        }

        long dataStart = 8 + (long)headerLength;
        long dataLength = bytes.Length - dataStart;
        var metadata = new Dictionary<string, string>();
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == MetadataKey)
                {
                    if (node is not JsonObject meta) throw Corrupt("__metadata__ is not an object");
                    foreach (var (key, value) in meta) metadata[key] = value?.GetValue<string>() ?? "";
                    continue;
                }
                if (node is not JsonObject entry) throw Corrupt($"entry '{name}' is not an object");
                string dtypeName = entry["dtype"]?.GetValue<string>() ?? throw Corrupt($"'{name}' has no dtype");
                var (type, size) = DTypes.FirstOrDefault(p => p.Value.Name == dtypeName) is var found
                    && found.Value.Name is not null
                    ? (found.Key, found.Value.Size) : throw Corrupt($"'{name}' has unsupported dtype {dtypeName}");
                long[] shape = entry["shape"]?.AsArray().Select(d => d!.GetValue<long>()).ToArray()
                    ?? throw Corrupt($"'{name}' has no shape");
                var offsets = entry["data_offsets"]?.AsArray().Select(d => d!.GetValue<long>()).ToArray()
                    ?? throw Corrupt($"'{name}' has no data_offsets");
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
                    throw Corrupt($"'{name}' has data offsets outside the file");
                long count = shape.Aggregate(1L, (a, b) => a * b);
                if (shape.Any(d => d < 0) || count * size != offsets[1] - offsets[0])
                    throw Corrupt($"'{name}' has shape [{string.Join(", ", shape)}] that does not match its " +
                        $"{offsets[1] - offsets[0]} bytes");
                var tensor = empty(shape, type);
                tensor.bytes = bytes.AsSpan((int)(dataStart + offsets[0]), (int)(offsets[1] - offsets[0]));
                tensors[name] = tensor.DetachFromDisposeScope();
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new Contents(tensors, metadata);
    }
}
