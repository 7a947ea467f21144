// Build-time fix that lets TorchSharp's native binding load on Linux systems whose libstdc++
// predates GCC 13 (Debian 12, Ubuntu 22.04: GLIBCXX_3.4.30 at most).
//
// libLibTorchSharp.so from TorchSharp 0.107.0 asks libstdc++.so.6 for version GLIBCXX_3.4.32
// because GCC 13's <iostream> references std::ios_base_library_init() to pull in the newer
// runtime; no relocation in the library uses that symbol. The dynamic loader refuses to load a
// library whose non-weak version requirement is missing, so torch dies at its first call.
// Marking that one requirement VER_FLG_WEAK in .gnu.version_r turns the hard failure into
// nothing (glibc only reports a missing weak version in verbose mode).
//
// This file is compiled by MSBuild's RoslynCodeTaskFactory from Microsoft.ML.Gan.targets (so the
// task ships as source inside the package), by its project Microsoft.ML.Gan.LibTorchCompat (against
// netstandard2.0, to catch breakage early), and by the test project, which tests the ELF logic
// directly. It therefore uses only netstandard APIs and a C# dialect every SDK accepts.
//
// Safety rule: a requirement is weakened only when (1) the system libstdc++ does not define it
// and (2) no dynamic relocation of the library refers to a symbol bound to that version.
// Anything else is reported and left alone, so the loader's own error stays visible.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// MSBuild task: weakens unusable libstdc++ version requirements of libLibTorchSharp.so copies
/// found under the given directories (an app's output or publish directory, never the NuGet cache).
/// </summary>
public sealed class GanMakeLibTorchSharpLoadable : Microsoft.Build.Utilities.Task
{
    /// <summary>Directories to search (an output or publish directory).</summary>
    [Required]
    public ITaskItem[] Directories { get; set; } = new ITaskItem[0];

    /// <summary>Path of the system libstdc++.so.6; found in the usual places when empty.</summary>
    public string SystemLibStdCxx { get; set; } = "";

    /// <summary>Files that were changed, for logging and for tests.</summary>
    [Output]
    public ITaskItem[] PatchedFiles { get; set; } = new ITaskItem[0];

    private static readonly string[] RelativeCandidates =
    {
        "libLibTorchSharp.so",
        "runtimes/linux-x64/native/libLibTorchSharp.so",
        "runtimes/linux-arm64/native/libLibTorchSharp.so",
    };

    private static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    };

    public override bool Execute()
    {
        var targets = new List<string>();
        foreach (ITaskItem directory in Directories)
        {
            foreach (string relative in RelativeCandidates)
            {
                string path = Path.Combine(directory.ItemSpec, relative);
                if (File.Exists(path))
                {
                    targets.Add(Path.GetFullPath(path));
                }
            }
        }

        if (targets.Count == 0)
        {
            return true;
        }

        string systemLibrary = SystemLibStdCxx;
        if (systemLibrary.Length == 0)
        {
            systemLibrary = FindSystemLibStdCxx() ?? "";
        }

        if (systemLibrary.Length == 0 || !File.Exists(systemLibrary))
        {
            Log.LogMessage(MessageImportance.Normal,
                "Microsoft.ML.Gan: no system libstdc++.so.6 found; libLibTorchSharp.so left unchanged.");
            return true;
        }

        HashSet<string> provided;
        try
        {
            provided = ElfVersions.ReadDefinedVersions(File.ReadAllBytes(systemLibrary));
        }
        catch (InvalidDataException e)
        {
            Log.LogWarning("Microsoft.ML.Gan: could not read version definitions of {0}: {1}", systemLibrary, e.Message);
            return true;
        }

        var patched = new List<ITaskItem>();
        foreach (string target in targets)
        {
            try
            {
                ElfPatchResult result = ElfVersions.WeakenMissingUnusedRequirements(
                    target, "libstdc++.so.6", provided);
                foreach (string name in result.Unsafe)
                {
                    Log.LogWarning(
                        "Microsoft.ML.Gan: {0} requires {1} from libstdc++.so.6, which {2} does not provide, " +
                        "and symbols use it; not patched. Install a newer libstdc++ (GCC 13 or later).",
                        target, name, systemLibrary);
                }

                if (result.Changed)
                {
                    Log.LogMessage(MessageImportance.High,
                        "Microsoft.ML.Gan: marked {0} weak in {1} (not provided by {2}, used by no relocation) so TorchSharp loads here.",
                        string.Join(", ", result.Weakened), target, systemLibrary);
                    patched.Add(new TaskItem(target));
                }
            }
            catch (InvalidDataException e)
            {
                Log.LogWarning("Microsoft.ML.Gan: {0} is not a readable ELF library ({1}); left unchanged.", target, e.Message);
            }
        }

        PatchedFiles = patched.ToArray();
        return !Log.HasLoggedErrors;
    }

    private static string? FindSystemLibStdCxx()
    {
        foreach (string candidate in LibStdCxxCandidates)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>What <see cref="ElfVersions.WeakenMissingUnusedRequirements"/> found and did.</summary>
public sealed class ElfPatchResult
{
    /// <summary>Missing versions that were (or already are) marked weak because nothing uses them.</summary>
    public List<string> Weakened { get; } = new List<string>();

    /// <summary>Missing versions that symbols depend on; left alone.</summary>
    public List<string> Unsafe { get; } = new List<string>();

    /// <summary>Whether the file was rewritten (false when every entry was already weak).</summary>
    public bool Changed { get; set; }
}

/// <summary>
/// Minimal reader/writer for GNU symbol versioning in 64-bit little-endian ELF shared objects.
/// Layouts follow the System V gABI and the LSB "Symbol Versioning" chapter:
/// Elf64_Shdr is 64 bytes; Elf64_Verneed {u16 version, u16 cnt, u32 file, u32 aux, u32 next};
/// Elf64_Vernaux {u32 hash, u16 flags, u16 other, u32 name, u32 next};
/// Elf64_Verdef {u16 version, u16 flags, u16 ndx, u16 cnt, u32 hash, u32 aux, u32 next};
/// Elf64_Verdaux {u32 name, u32 next}; .gnu.version holds one u16 per .dynsym entry;
/// Elf64_Rela is 24 bytes and Elf64_Rel 16, the symbol index being the high half of r_info.
/// </summary>
public static class ElfVersions
{
    public const ushort VerFlagWeak = 0x2;
    private const uint ShtRela = 4;
    private const uint ShtRel = 9;
    private const uint ShtDynSym = 11;
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;

    /// <summary>One version requirement (Vernaux entry) of a needed library.</summary>
    public sealed class Requirement
    {
        public Requirement(string file, string name, ushort flags, ushort index, long flagsOffset)
        {
            File = file;
            Name = name;
            Flags = flags;
            Index = index;
            FlagsOffset = flagsOffset;
        }

        public string File { get; }
        public string Name { get; }
        public ushort Flags { get; }
        public ushort Index { get; }
        public long FlagsOffset { get; }
        public bool IsWeak { get { return (Flags & VerFlagWeak) != 0; } }
    }

    private struct Section
    {
        public uint Type;
        public long Offset;
        public long Size;
        public uint Link;
        public long EntrySize;
    }

    /// <summary>Version names a library defines (.gnu.version_d), e.g. GLIBCXX_3.4.30.</summary>
    public static HashSet<string> ReadDefinedVersions(byte[] elf)
    {
        Section[] sections = ReadSections(elf);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Section section in sections)
        {
            if (section.Type != ShtGnuVerdef)
            {
                continue;
            }

            Section strings = sections[section.Link];
            long entry = section.Offset;
            while (true)
            {
                ushort count = U16(elf, entry + 6);
                long aux = entry + U32(elf, entry + 12);
                for (int i = 0; i < count; i++)
                {
                    names.Add(ReadString(elf, strings, U32(elf, aux)));
                    aux += U32(elf, aux + 4);
                }

                uint next = U32(elf, entry + 16);
                if (next == 0)
                {
                    break;
                }

                entry += next;
            }
        }

        return names;
    }

    /// <summary>Every version requirement (.gnu.version_r) of a library.</summary>
    public static List<Requirement> ReadRequirements(byte[] elf)
    {
        Section[] sections = ReadSections(elf);
        var requirements = new List<Requirement>();
        foreach (Section section in sections)
        {
            if (section.Type != ShtGnuVerneed)
            {
                continue;
            }

            Section strings = sections[section.Link];
            long entry = section.Offset;
            while (true)
            {
                ushort count = U16(elf, entry + 2);
                string file = ReadString(elf, strings, U32(elf, entry + 4));
                long aux = entry + U32(elf, entry + 8);
                for (int i = 0; i < count; i++)
                {
                    requirements.Add(new Requirement(
                        file,
                        ReadString(elf, strings, U32(elf, aux + 8)),
                        U16(elf, aux + 4),
                        U16(elf, aux + 6),
                        aux + 4));
                    uint auxNext = U32(elf, aux + 12);
                    if (auxNext == 0)
                    {
                        break;
                    }

                    aux += auxNext;
                }

                uint next = U32(elf, entry + 12);
                if (next == 0)
                {
                    break;
                }

                entry += next;
            }
        }

        return requirements;
    }

    /// <summary>Version indices (from .gnu.version) of the symbols that dynamic relocations refer to.</summary>
    public static HashSet<ushort> ReadRelocatedVersionIndices(byte[] elf)
    {
        Section[] sections = ReadSections(elf);
        int dynsym = -1;
        int versym = -1;
        for (int i = 0; i < sections.Length; i++)
        {
            if (sections[i].Type == ShtDynSym)
            {
                dynsym = i;
            }
            else if (sections[i].Type == ShtGnuVersym)
            {
                versym = i;
            }
        }

        var indices = new HashSet<ushort>();
        if (dynsym < 0 || versym < 0)
        {
            return indices;
        }

        foreach (Section section in sections)
        {
            if ((section.Type != ShtRela && section.Type != ShtRel) || section.Link != dynsym)
            {
                continue;
            }

            long entrySize = section.Type == ShtRela ? 24 : 16;
            for (long offset = section.Offset; offset + entrySize <= section.Offset + section.Size; offset += entrySize)
            {
                ulong info = U64(elf, offset + 8);
                long symbol = (long)(info >> 32);
                if (symbol == 0)
                {
                    continue;
                }

                long versionEntry = sections[versym].Offset + (2 * symbol);
                if (versionEntry + 2 > sections[versym].Offset + sections[versym].Size)
                {
                    throw new InvalidDataException("relocation refers past the end of .gnu.version");
                }

                indices.Add((ushort)(U16(elf, versionEntry) & 0x7fff));
            }
        }

        return indices;
    }

    /// <summary>
    /// Marks weak every requirement on <paramref name="neededFile"/> that <paramref name="provided"/>
    /// lacks and no relocation uses. Writes a new file and renames it over <paramref name="path"/>
    /// (never editing in place, so a hard link into a package cache is never modified).
    /// </summary>
    public static ElfPatchResult WeakenMissingUnusedRequirements(string path, string neededFile, ICollection<string> provided)
    {
        byte[] elf = File.ReadAllBytes(path);
        var result = new ElfPatchResult();
        HashSet<ushort>? relocated = null;
        bool changed = false;
        foreach (Requirement requirement in ReadRequirements(elf))
        {
            if (requirement.File != neededFile || provided.Contains(requirement.Name))
            {
                continue;
            }

            if (requirement.IsWeak)
            {
                result.Weakened.Add(requirement.Name);
                continue;
            }

            if (relocated == null)
            {
                relocated = ReadRelocatedVersionIndices(elf);
            }

            if (relocated.Contains(requirement.Index))
            {
                result.Unsafe.Add(requirement.Name);
                continue;
            }

            WriteU16(elf, requirement.FlagsOffset, (ushort)(requirement.Flags | VerFlagWeak));
            result.Weakened.Add(requirement.Name);
            changed = true;
        }

        result.Changed = changed;
        if (changed)
        {
            string temporary = path + ".gan-" + Guid.NewGuid().ToString("N") + ".tmp";
            DateTime written = File.GetLastWriteTimeUtc(path);
            try
            {
                File.WriteAllBytes(temporary, elf);
                // A rename replaces the directory entry, not the bytes behind it.
                File.Replace(temporary, path, null);
                // Keep the copied file's timestamp: MSBuild's incremental copy then sees the output as
                // up to date (same size and time) and does not copy the unpatched file over it again.
                File.SetLastWriteTimeUtc(path, written);
            }
            finally
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }
        }

        return result;
    }

    private static Section[] ReadSections(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }

        if (elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("only 64-bit little-endian ELF is supported");
        }

        long sectionTable = (long)U64(elf, 0x28);
        ushort entrySize = U16(elf, 0x3a);
        ushort count = U16(elf, 0x3c);
        if (entrySize != 64 || sectionTable + ((long)count * entrySize) > elf.Length)
        {
            throw new InvalidDataException("section header table is truncated");
        }

        var sections = new Section[count];
        for (int i = 0; i < count; i++)
        {
            long header = sectionTable + ((long)i * entrySize);
            sections[i] = new Section
            {
                Type = U32(elf, header + 4),
                Offset = (long)U64(elf, header + 24),
                Size = (long)U64(elf, header + 32),
                Link = U32(elf, header + 40),
                EntrySize = (long)U64(elf, header + 56),
            };
            if (sections[i].Type != 8 /* SHT_NOBITS */ && sections[i].Offset + sections[i].Size > elf.Length)
            {
                throw new InvalidDataException("section " + i + " lies past the end of the file");
            }
        }

        foreach (Section section in sections)
        {
            bool linksStrings = section.Type == ShtGnuVerdef || section.Type == ShtGnuVerneed;
            if (linksStrings && section.Link >= count)
            {
                throw new InvalidDataException("version section links to a missing string table");
            }
        }

        return sections;
    }

    private static string ReadString(byte[] elf, Section strings, uint offset)
    {
        long start = strings.Offset + offset;
        long end = start;
        long limit = strings.Offset + strings.Size;
        while (end < limit && elf[end] != 0)
        {
            end++;
        }

        if (end >= limit)
        {
            throw new InvalidDataException("string runs past its string table");
        }

        return Encoding.ASCII.GetString(elf, (int)start, (int)(end - start));
    }

    private static ushort U16(byte[] b, long o)
    {
        Check(b, o, 2);
        return (ushort)(b[o] | (b[o + 1] << 8));
    }

    private static uint U32(byte[] b, long o)
    {
        Check(b, o, 4);
        return (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));
    }

    private static ulong U64(byte[] b, long o)
    {
        return U32(b, o) | ((ulong)U32(b, o + 4) << 32);
    }

    private static void WriteU16(byte[] b, long o, ushort value)
    {
        Check(b, o, 2);
        b[o] = (byte)value;
        b[o + 1] = (byte)(value >> 8);
    }

    private static void Check(byte[] b, long o, int size)
    {
        if (o < 0 || o + size > b.Length)
        {
            throw new InvalidDataException("read past the end of the file at offset " + o);
        }
    }
}
