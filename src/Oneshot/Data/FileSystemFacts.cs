using System.Runtime.InteropServices;
using System.Text;

namespace Oneshot.Data;

/// <summary>
/// What .NET does not say about a path on Linux: where it really is once every link is resolved,
/// and whether it is a regular file (a FIFO looks like an ordinary file to .NET, and opening one
/// for reading waits forever for a writer).
/// </summary>
public static partial class FileSystemFacts
{
    /// <summary>The canonical path (realpath(3)); the full path as given when the system cannot say.</summary>
    public static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return full;
        var buffer = new byte[4096];   // PATH_MAX
        try
        {
            if (realpath(full, buffer) == IntPtr.Zero) return full;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return full; }
        int length = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, length < 0 ? buffer.Length : length);
    }

    /// <summary>
    /// False for a FIFO, socket or device (after following links); true for a regular file, and when
    /// the system cannot say (then reading it shows what it is).
    /// </summary>
    public static bool IsRegularFile(string path)
    {
        if (!OperatingSystem.IsLinux()) return true;
        // struct stat's st_mode: at byte 24 on x86-64 (after st_dev, st_ino and an 8-byte st_nlink), at 16 on arm64.
        int modeOffset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 => 16,
            _ => -1,
        };
        if (modeOffset < 0) return true;
        var buffer = new byte[256];
        try
        {
            if (stat(path, buffer) != 0) return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return true; }
        const uint TypeMask = 0xF000, Regular = 0x8000;
        return (BitConverter.ToUInt32(buffer, modeOffset) & TypeMask) == Regular;
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr realpath(string path, byte[] resolved);

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int stat(string path, byte[] buffer);
}
