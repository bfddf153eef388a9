using System.Buffers.Binary;
using System.Text;

namespace Oneshot.Generation;

/// <summary>
/// A small ONNX graph written straight to the protobuf bytes ONNX Runtime loads: float tensors,
/// nodes with int, ints and float attributes, one graph input and output. Field numbers are those of
/// onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto).
/// </summary>
public sealed class OnnxGraph
{
    const int OpsetVersion = 13;
    readonly List<byte[]> _nodes = [];
    readonly List<byte[]> _initializers = [];
    int _names;

    /// <summary>A fresh value name.</summary>
    public string Name(string hint) => $"{hint}_{_names++}";

    /// <summary>A constant float tensor; returns its name.</summary>
    public string Constant(string hint, float[] values, params long[] dims)
    {
        var raw = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i), values[i]);
        return Initializer(hint, 1, dims, raw);                // FLOAT
    }

    /// <summary>A constant int64 tensor (shapes, slice bounds); returns its name.</summary>
    public string Integers(string hint, params long[] values)
    {
        var raw = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(8 * i), values[i]);
        return Initializer(hint, 7, [values.Length], raw);     // INT64
    }

    /// <summary>A TensorProto of little-endian raw data among the graph's initializers.</summary>
    string Initializer(string hint, int dataType, long[] dims, byte[] raw)
    {
        string name = Name(hint);
        var tensor = new Message();
        foreach (long d in dims) tensor.Varint(1, (ulong)d);
        tensor.Varint(2, (ulong)dataType);
        tensor.String(8, name);
        tensor.Bytes(9, raw);
        _initializers.Add(tensor.ToArray());
        return name;
    }

    /// <summary>Adds a node with one output; attributes are long (INT), long[] (INTS) or float (FLOAT). Returns the
    /// output's name.</summary>
    public string Node(string op, string[] inputs, params (string Name, object Value)[] attributes)
    {
        string output = Name(op);
        var node = new Message();
        foreach (string input in inputs) node.String(1, input);
        node.String(2, output);
        node.String(3, output);
        node.String(4, op);
        foreach (var (name, value) in attributes)
        {
            var attribute = new Message();
            attribute.String(1, name);
            switch (value)
            {
                case float f: attribute.Fixed32(2, f); attribute.Varint(20, 1); break;
                case long i: attribute.Varint(3, (ulong)i); attribute.Varint(20, 2); break;
                case long[] ints:
                    foreach (long i in ints) attribute.Varint(8, (ulong)i);
                    attribute.Varint(20, 7);
                    break;
                default: throw new ArgumentException($"attribute {name}: {value.GetType().Name} is not written");
            }
            node.Nested(5, attribute);
        }
        _nodes.Add(node.ToArray());
        return output;
    }

    /// <summary>The model's bytes: a float input [batch, <paramref name="inputWidth"/>] and a float output [batch,
    /// <paramref name="outputWidth"/>].</summary>
    public byte[] ToModel(string input, long inputWidth, string output, long outputWidth)
    {
        var graph = new Message();
        foreach (var node in _nodes) graph.Bytes(1, node);
        graph.String(2, "oneshot");
        foreach (var initializer in _initializers) graph.Bytes(5, initializer);
        graph.Nested(11, ValueInfo(input, inputWidth));
        graph.Nested(12, ValueInfo(output, outputWidth));
        var model = new Message();
        model.Varint(1, 7);                                    // IR version 7 (ONNX 1.8)
        model.String(2, "oneshot");
        model.Nested(7, graph);
        var opset = new Message();
        opset.String(1, "");
        opset.Varint(2, OpsetVersion);
        model.Nested(8, opset);
        return model.ToArray();
    }

    static Message ValueInfo(string name, long width)
    {
        var shape = new Message();
        var batch = new Message();
        batch.String(2, "batch");
        shape.Nested(1, batch);
        var columns = new Message();
        columns.Varint(1, (ulong)width);
        shape.Nested(1, columns);
        var tensorType = new Message();
        tensorType.Varint(1, 1);                               // FLOAT
        tensorType.Nested(2, shape);
        var type = new Message();
        type.Nested(1, tensorType);
        var info = new Message();
        info.String(1, name);
        info.Nested(2, type);
        return info;
    }

    /// <summary>Protobuf's wire format, the few kinds of field ONNX needs here.</summary>
    sealed class Message
    {
        readonly MemoryStream _bytes = new();

        public void Varint(int field, ulong value)
        {
            Key(field, 0);
            Raw(value);
        }

        public void Fixed32(int field, float value)
        {
            Key(field, 5);
            Span<byte> four = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(four, value);
            _bytes.Write(four);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Nested(int field, Message value) => Bytes(field, value.ToArray());

        public void Bytes(int field, byte[] value)
        {
            Key(field, 2);
            Raw((ulong)value.Length);
            _bytes.Write(value);
        }

        public byte[] ToArray() => _bytes.ToArray();

        void Key(int field, int wireType) => Raw((ulong)(field << 3 | wireType));

        void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _bytes.WriteByte((byte)value);
        }
    }
}
