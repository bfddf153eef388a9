// MSBuild task compiled by RoslynCodeTaskFactory (see TorchSharpGlibcxx.targets for why it exists).
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenMissingGlibcxxVersions : Task
{
    [Required] public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();
    [Required] public string Versions { get; set; } = "";

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        var wanted = Versions.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries)
                             .Select(v => v.Trim()).ToList();
        string systemLib = FindSystemLibstdcxx();
        if (systemLib == null)
        {
            Log.LogMessage(MessageImportance.Normal, "libstdc++.so.6 not found on this system; TorchSharp native " +
                "library left as shipped.");
            return true;
        }
        byte[] systemBytes = File.ReadAllBytes(systemLib);
        var missing = wanted.Where(v => IndexOf(systemBytes, Encoding.ASCII.GetBytes(v + "\0")) < 0).ToList();
        if (missing.Count == 0)
        {
            Log.LogMessage(MessageImportance.Low, systemLib + " provides " + string.Join(", ", wanted)
                + "; nothing to patch.");
            return true;
        }
        foreach (var item in Libraries)
        {
            string path = item.GetMetadata("FullPath");
            try
            {
                int changed = Patch(path, missing);
                if (changed > 0)
                    Log.LogMessage(MessageImportance.High, "Oneshot: marked " + string.Join(", ", missing) + " weak in "
                        + path + " (system libstdc++ lacks it).");
            }
            catch (Exception e)
            {
                Log.LogError("Oneshot: could not patch " + path + ": " + e.Message);
                return false;
            }
        }
        return true;
    }

    static string FindSystemLibstdcxx()
    {
        try
        {
            foreach (var ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig" })
            {
                if (!File.Exists(ldconfig)) continue;
                var psi = new ProcessStartInfo(ldconfig, "-p")
                    { RedirectStandardOutput = true, UseShellExecute = false };
                using (var p = Process.Start(psi))
                {
                    string output = p.StandardOutput.ReadToEnd();
                    p.WaitForExit();
                    foreach (var line in output.Split('\n'))
                    {
                        if (!line.Contains("libstdc++.so.6") || !line.Contains("x86-64")) continue;
                        int arrow = line.IndexOf("=>", StringComparison.Ordinal);
                        if (arrow < 0) continue;
                        string candidate = line.Substring(arrow + 2).Trim();
                        if (File.Exists(candidate)) return candidate;
                    }
                }
            }
        }
        catch (Exception) { /* fall back to the usual locations */ }
        foreach (var candidate in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" })
            if (File.Exists(candidate)) return candidate;
        return null;
    }

    // Sets VER_FLG_WEAK on each Vernaux entry whose name is in `versions`; returns how many changed.
    static int Patch(string path, List<string> versions)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("expected a 64-bit little-endian ELF file");
        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        int changed = 0;
        for (int i = 0; i < shnum; i++)
        {
            long sh = (long)shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 24);
            uint link = BitConverter.ToUInt32(elf, (int)sh + 40);
            uint count = BitConverter.ToUInt32(elf, (int)sh + 44);
            long strtab = (long)BitConverter.ToUInt64(elf, (int)((long)shoff + (long)link * shentsize + 24));
            long vn = offset;
            for (uint n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)vn + 2);
                long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                    string name = ReadCString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                    if (versions.Contains(name) && (flags & VerFlgWeak) == 0)
                    {
                        flags |= VerFlgWeak;
                        elf[aux + 4] = (byte)(flags & 0xff);
                        elf[aux + 5] = (byte)(flags >> 8);
                        changed++;
                    }
                    uint next = BitConverter.ToUInt32(elf, (int)aux + 12);
                    if (next == 0) break;
                    aux += next;
                }
                uint vnNext = BitConverter.ToUInt32(elf, (int)vn + 12);
                if (vnNext == 0) break;
                vn += vnNext;
            }
        }
        if (changed > 0)
        {
            // A new file renamed over the old one: never write through a hard link into the NuGet cache.
            string temporary = path + ".oneshot-patch.tmp";
            File.WriteAllBytes(temporary, elf);
            File.Delete(path);
            File.Move(temporary, path);
        }
        return changed;
    }

    static string ReadCString(byte[] data, long start)
    {
        long end = start;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, (int)start, (int)(end - start));
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }
}
