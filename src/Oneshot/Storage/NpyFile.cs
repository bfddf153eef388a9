using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Oneshot.Storage;

/// <summary>
/// NumPy .npy files (format version 1.0) of little-endian float32, C order — what numpy.load
/// reads as is. The writer streams rows: it reserves a fixed 128-byte header, writes the rows, and
/// fills the header with the final shape at the end.
/// </summary>
public static partial class NpyFile
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    internal const int HeaderSize = 128;

    public static byte[] Header(IReadOnlyList<long> shape)
    {
        string dims = shape.Count == 1 ? $"{shape[0]}," : string.Join(", ",
            shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        int padded = HeaderSize - Magic.Length - 4;           // magic, version (2), header length (2)
        if (dict.Length + 1 > padded) throw new ArgumentException("shape too large for the npy header", nameof(shape));
        var header = new byte[HeaderSize];
        Magic.CopyTo(header, 0);
        header[6] = 1; header[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)padded);
        Encoding.ASCII.GetBytes(dict.PadRight(padded - 1) + "\n").CopyTo(header, 10);
        return header;
    }

    public static void Write(string path, float[] values, IReadOnlyList<long> shape)
    {
        if (shape.Aggregate(1L, (a, b) => a * b) != values.Length)
            throw new ArgumentException("shape does not match the number of values", nameof(shape));
        using var writer = new RowWriter(path, values.Length / Math.Max(1, (int)shape[0]));
        writer.WriteRaw(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()), shape);
    }

    /// <summary>Writes a float32 [rows, rowLength] array one row at a time, through a temporary file.</summary>
    public sealed class RowWriter : IDisposable
    {
        readonly string _path;
        readonly string _working;
        readonly bool _keepUncommitted;
        readonly FileStream _stream;
        readonly int _rowLength;
        long _rows;
        bool _committed;

        /// <summary>Rows go to a temporary file beside <paramref name="path"/>, renamed into place by
        /// <see cref="Commit()"/>; dropped if never committed.</summary>
        public RowWriter(string path, int rowLength)
        {
            if (!BitConverter.IsLittleEndian)
                throw new PlatformNotSupportedException("npy writing assumes a little-endian machine");
            _path = path;
            _rowLength = rowLength;
            _stream = AtomicFile.Create(path, out _working);
            _stream.Write(new byte[HeaderSize]);
        }

        RowWriter(string path, int rowLength, string working, long rows)
        {
            if (!BitConverter.IsLittleEndian)
                throw new PlatformNotSupportedException("npy writing assumes a little-endian machine");
            (_path, _rowLength, _working, _rows, _keepUncommitted) = (path, rowLength, working, rows, true);
            _stream = new FileStream(working, FileMode.OpenOrCreate, FileAccess.ReadWrite);
            long length = HeaderSize + rows * rowLength * sizeof(float);
            if (_stream.Length < length && rows > 0)
            {
                _stream.Dispose();
                throw new OneshotException($"'{working}' holds fewer rows than the {rows} recorded for it.");
            }
            _stream.SetLength(length);
            _stream.Position = length;
        }

        /// <summary>
        /// Continues the rows of <paramref name="working"/> (created if missing) after its first
        /// <paramref name="rows"/>, dropping any written after them; the file is kept when not committed,
        /// so an interrupted job can continue it. <see cref="Commit()"/> moves it to <paramref name="path"/>.
        /// </summary>
        public static RowWriter Continue(string working, string path, int rowLength, long rows) =>
            new(path, rowLength, working, rows);

        public long Rows => _rows;

        public void WriteRow(ReadOnlySpan<float> row)
        {
            if (row.Length != _rowLength)
                throw new ArgumentException($"row has {row.Length} values, expected {_rowLength}", nameof(row));
            _stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row));
            _rows++;
        }

        /// <summary>Makes every row written so far durable (a journal may then count them).</summary>
        public void Flush() => _stream.Flush(flushToDisk: true);

        internal void WriteRaw(ReadOnlySpan<byte> bytes, IReadOnlyList<long> shape)
        {
            _stream.Write(bytes);
            Commit(shape);
        }

        /// <summary>Writes the header and renames the file into place.</summary>
        public void Commit() => Commit([_rows, _rowLength]);

        void Commit(IReadOnlyList<long> shape)
        {
            _stream.Position = 0;
            _stream.Write(Header(shape));
            _stream.Flush(flushToDisk: true);
            _stream.Dispose();
            AtomicFile.Commit(_working, _path);
            _committed = true;
        }

        public void Dispose()
        {
            _stream.Dispose();
            if (!_committed && !_keepUncommitted) AtomicFile.TryDelete(_working);
        }
    }

    /// <summary>Shape, data offset and element size (4: float32, 8: float64) of a C-order .npy file.</summary>
    public sealed record Info(long[] Shape, long DataOffset, int ElementSize = 4);

    /// <summary>The header of a little-endian float32 file.</summary>
    public static Info ReadInfo(string path)
    {
        var info = ReadAnyInfo(path);
        if (info.ElementSize != 4)
            throw new OneshotException($"'{path}' holds float64 values; this needs little-endian float32 ('<f4').");
        return info;
    }

    /// <summary>The header of a little-endian float32 or float64 file.</summary>
    public static Info ReadAnyInfo(string path)
    {
        using var stream = File.OpenRead(path);
        var prefix = new byte[10];
        if (stream.ReadAtLeast(prefix, 10, throwOnEndOfStream: false) < 10 || !prefix.AsSpan(0, 6).SequenceEqual(Magic))
            throw new OneshotException($"'{path}' is not a .npy file.");
        int major = prefix[6];
        int headerLength;
        long offset;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(8));
            offset = 10 + headerLength;
        }
        else
        {
            var more = new byte[2];
            stream.ReadExactly(more);
            headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian([prefix[8], prefix[9], more[0], more[1]]);
            offset = 12 + headerLength;
        }
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        string text = Encoding.Latin1.GetString(header);
        int elementSize = text.Contains("'<f4'") ? 4 : text.Contains("'<f8'") ? 8
            : throw new OneshotException($"'{path}' does not hold little-endian float32 or float64 values " +
                $"({text.Trim()}).");
        if (text.Contains("'fortran_order': True"))
            throw new OneshotException($"'{path}' is in Fortran order; save it in C order.");
        var match = ShapePattern().Match(text);
        if (!match.Success) throw new OneshotException($"'{path}' has an unreadable npy header ({text.Trim()}).");
        var shape = match.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries
            | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return new Info(shape, offset, elementSize);
    }

    /// <summary>A whole 2-D float32 or float64 file as float64, with its shape: e.g. embeddings from another
    /// tool.</summary>
    public static (double[] Values, int Rows, int Columns) ReadMatrix(string path)
    {
        var info = ReadAnyInfo(path);
        if (info.Shape.Length != 2)
            throw new OneshotException($"'{path}' has shape ({string.Join(", ", info.Shape)}); expected a 2-D array " +
                $"[count, dimensions].");
        long count = info.Shape[0] * info.Shape[1];
        if (count > int.MaxValue / 8)
            throw new OneshotException($"'{path}' is too large ({info.Shape[0]} × {info.Shape[1]}).");
        var bytes = new byte[count * info.ElementSize];
        using (var stream = File.OpenRead(path))
        {
            stream.Position = info.DataOffset;
            if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length)
                throw new OneshotException($"'{path}' is shorter than its header says ({info.Shape[0]} × " +
                    $"{info.Shape[1]}); the file is truncated.");
        }
        var values = new double[count];
        if (info.ElementSize == 8)
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes).CopyTo(values);
        else
        {
            var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes);
            for (int i = 0; i < values.Length; i++) values[i] = floats[i];
        }
        return (values, (int)info.Shape[0], (int)info.Shape[1]);
    }

    /// <summary>Reads rows [start, start + count) of a 2-D float32 file.</summary>
    public static float[] ReadRows(string path, long start, int count)
    {
        var info = ReadInfo(path);
        if (info.Shape.Length != 2)
            throw new OneshotException($"'{path}' has shape ({string.Join(", ", info.Shape)}), expected 2 dimensions.");
        long rowLength = info.Shape[1];
        if (start < 0 || start + count > info.Shape[0]) throw new ArgumentOutOfRangeException(nameof(start));
        var values = new float[count * rowLength];
        using var stream = File.OpenRead(path);
        stream.Position = info.DataOffset + start * rowLength * 4;
        stream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
