using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Oneshot.Storage;
using static TorchSharp.torch;

namespace Oneshot.Tests.Storage;

public class SafetensorsTests
{
    [Fact]
    public void Bytes_follow_the_format()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string path = dir.File("t.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["b.weight"] = tensor(new float[] { 1, -2, 3.5f, 0, 0.25f, 7 }, [2, 3]),
            ["a"] = tensor(new long[] { 5, -6 }),
        };
        Safetensors.Save(path, tensors, new Dictionary<string, string> { ["step"] = "42" });

        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
        var root = header.RootElement;
        Assert.Equal("42", root.GetProperty("__metadata__").GetProperty("step").GetString());
        var a = root.GetProperty("a");
        Assert.Equal("I64", a.GetProperty("dtype").GetString());
        Assert.Equal([2L], a.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([0L, 16L], a.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        var b = root.GetProperty("b.weight");
        Assert.Equal("F32", b.GetProperty("dtype").GetString());
        Assert.Equal([2L, 3L], b.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([16L, 40L], b.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(8 + headerLength + 40, bytes.Length);
        int data = 8 + (int)headerLength;
        Assert.Equal(5L, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(data)));
        Assert.Equal(-6L, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(data + 8)));
        Assert.Equal(3.5f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(data + 16 + 8)));
        Assert.Equal(7f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(data + 16 + 20)));
    }

    [Fact]
    public void Round_trip_keeps_values_shapes_and_metadata()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string path = dir.File("t.safetensors");
        var original = randn(3, 4, 5, dtype: ScalarType.Float64);
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["x"] = original, ["scalar"] = tensor(3.0f) },
            new Dictionary<string, string> { ["k"] = "v" });
        using var loaded = Safetensors.Load(path);
        Assert.Equal("v", loaded.Metadata["k"]);
        Assert.Equal(loaded.Metadata, Safetensors.ReadMetadata(path));   // the header alone gives the same
        Assert.Equal(original.data<double>().ToArray(), loaded.Tensors["x"].data<double>().ToArray());
        Assert.Equal(original.shape, loaded.Tensors["x"].shape);
        Assert.Empty(loaded.Tensors["scalar"].shape);
        Assert.Equal(3.0f, loaded.Tensors["scalar"].item<float>());
    }

    [Fact]
    public void Python_reads_what_we_write()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string path = dir.File("t.safetensors");
        Safetensors.Save(path, new Dictionary<string,
            Tensor> { ["w"] = arange(6, dtype: ScalarType.Float32).view(2, 3) });
        // An independent reader: parse the header and the bytes with numpy.
        string script = $$"""
            import json, struct, numpy as np
            raw = open({{JsonSerializer.Serialize(path)}}, 'rb').read()
            n = struct.unpack('<Q', raw[:8])[0]
            h = json.loads(raw[8:8 + n])
            e = h['w']; b, end = e['data_offsets']
            a = np.frombuffer(raw[8 + n + b:8 + n + end], dtype='<f4').reshape(e['shape'])
            print(float(a[1, 2]), a.shape)
            """;
        string output = Tools.Run(Tools.Python, "-c", script);
        Assert.Equal("5.0 (2, 3)", output.Trim());
    }

    [Fact]
    public void Truncated_file_is_a_clear_error()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string path = dir.File("t.safetensors");
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["w"] = ones(100) });
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^50]);
        var error = Assert.Throws<OneshotException>(() => Safetensors.Load(path));
        Assert.Contains("t.safetensors", error.Message);
        Assert.Contains("outside the file", error.Message);
    }
}
