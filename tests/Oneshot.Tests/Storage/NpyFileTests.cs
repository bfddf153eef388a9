using System.Text;
using Oneshot.Storage;

namespace Oneshot.Tests.Storage;

public class NpyFileTests
{
    [Fact]
    public void Header_follows_the_npy_format()
    {
        using var dir = new TempDir();
        string path = dir.File("a.npy");
        using (var writer = new NpyFile.RowWriter(path, 3))
        {
            writer.WriteRow([1f, 2f, 3f]);
            writer.WriteRow([4f, 5f, 6.5f]);
            writer.Commit();
        }
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        int headerLength = bytes[8] | bytes[9] << 8;
        Assert.Equal(0, (10 + headerLength) % 64);          // data aligned as the format asks
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header);
        Assert.EndsWith("\n", header);
        Assert.Equal(10 + headerLength + 6 * 4, bytes.Length);
        Assert.Equal(6.5f, BitConverter.ToSingle(bytes, 10 + headerLength + 5 * 4));

        var info = NpyFile.ReadInfo(path);
        Assert.Equal(new long[] { 2, 3 }, info.Shape);
        Assert.Equal(new[] { 4f, 5f, 6.5f }, NpyFile.ReadRows(path, 1, 1));
    }

    [Fact]
    public void An_uncommitted_writer_leaves_no_file()
    {
        using var dir = new TempDir();
        using (var writer = new NpyFile.RowWriter(dir.File("b.npy"), 2)) writer.WriteRow([1f, 2f]);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Numpy_reads_the_file_as_is()
    {
        using var dir = new TempDir();
        string path = dir.File("c.npy");
        var values = Enumerable.Range(0, 12).Select(i => i * 0.25f - 1).ToArray();
        NpyFile.Write(path, values, [3, 4]);
        string output = Tools.Run(Tools.Python, "-c",
            "import sys, numpy as np; a = np.load(sys.argv[1]); print(a.dtype, a.shape, repr(float(a[2, 3])), " +
                "repr(float(a.sum())))", path);
        Assert.Equal("float32 (3, 4) 1.75 4.5", output.Trim());
    }
}
