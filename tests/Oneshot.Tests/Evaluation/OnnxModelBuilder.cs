using System.Text;

namespace Oneshot.Tests.Evaluation;

/// <summary>
/// Writes a tiny ONNX model by hand (protobuf wire format, field numbers from onnx.proto), so the
/// CLAP path is tested without downloading a model: input [batch, 1, frames, mels] → ReduceMean
/// over the channel and time axes → MatMul with a fixed [mels, D] weight → output [batch, D].
/// </summary>
public static class OnnxModelBuilder
{
    public static byte[] MeanThenProject(float[] weight, int mels, int dimensions, int frames,
                                         string inputName = "input_features", string outputName = "audio_embeds")
    {
        var graph = new Proto()
            .Message(1,
                Node([inputName], ["pooled"], "ReduceMean", new Proto().String(1, "axes").Ints(8, [1, 2]).Varint(20, 7),
                              // attribute types: INTS 7, INT 2
                              new Proto().String(1, "keepdims").Varint(3, 0).Varint(20, 2)))
            .Message(1, Node(["pooled", "w"], [outputName], "MatMul"))
            .String(2, "test-clap")
            // FLOAT, raw_data
            .Message(5, new Proto().Varints(1, [mels, dimensions]).Varint(2, 1).String(8, "w").Bytes(9, Floats(weight)))
            .Message(11, ValueInfo(inputName, [null, 1, frames, mels]))
            .Message(12, ValueInfo(outputName, [null, dimensions]));
        return new Proto()
            .Varint(1, 7)                                             // ir_version
            .String(2, "oneshot-tests")                               // producer_name
            .Message(7, graph)
            .Message(8, new Proto().String(1, "").Varint(2, 13))      // opset 13: ReduceMean takes axes as an attribute
            .ToArray();
    }

    static Proto Node(string[] inputs, string[] outputs, string op, params Proto[] attributes)
    {
        var node = new Proto();
        foreach (var i in inputs) node.String(1, i);
        foreach (var o in outputs) node.String(2, o);
        node.String(4, op);
        foreach (var a in attributes) node.Message(5, a);
        return node;
    }

    static Proto ValueInfo(string name, int?[] shape)
    {
        var dims = new Proto();
        foreach (var d in shape)
            dims.Message(1, d is int value ? new Proto().Varint(1, value) : new Proto().String(2, "batch"));
        var tensorType = new Proto().Varint(1, 1).Message(2, dims);   // elem_type FLOAT
        return new Proto().String(1, name).Message(2, new Proto().Message(1, tensorType));
    }

    static byte[] Floats(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    /// <summary>A protobuf message under construction.</summary>
    sealed class Proto
    {
        readonly MemoryStream _stream = new();

        public byte[] ToArray() => _stream.ToArray();

        void Key(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

        void WriteVarint(ulong value)
        {
            do
            {
                byte b = (byte)(value & 0x7F);
                value >>= 7;
                _stream.WriteByte(value != 0 ? (byte)(b | 0x80) : b);
            } while (value != 0);
        }

        public Proto Varint(int field, long value) { Key(field, 0); WriteVarint((ulong)value); return this; }
        public Proto Varints(int field, long[] values) { foreach (var v in values) Varint(field, v); return this; }
        public Proto Ints(int field, long[] values) => Varints(field, values);
        public Proto Bytes(int field, byte[] bytes)
        {
            Key(field, 2);
            WriteVarint((ulong)bytes.Length);
            _stream.Write(bytes);
            return this;
        }
        public Proto String(int field, string text) => Bytes(field, Encoding.UTF8.GetBytes(text));
        public Proto Message(int field, Proto message) => Bytes(field, message.ToArray());
    }
}
