using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace PyMemTrace.Store;

/// <summary>
/// Gives each distinct (file, line, function) of a trace a number 0, 1, ... in the order first seen, keyed by the
/// UTF-8 bytes of file and function: a site already seen costs a hash and a compare, no string. Text keys are
/// encoded to UTF-8 first, so a site reads the same whether its line came as bytes (ASCII) or as text.
/// </summary>
internal sealed class SiteInterner
{
    sealed record Entry(byte[] Key, int FileLength, int Line, int Hash);

    readonly List<Entry> _entries = new();
    int[] _slots = new int[256]; // entry index + 1; 0 = empty; open addressing, linear probing
    byte[] _scratch = new byte[256];

    public int Count => _entries.Count;

    /// <summary>The site's number; <paramref name="added"/> when it is new.</summary>
    public int Intern(ReadOnlySpan<byte> file, int line, ReadOnlySpan<byte> function, out bool added)
    {
        int hash = Hash(file, line, function);
        int mask = _slots.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            int slot = _slots[i];
            if (slot == 0) break;
            var e = _entries[slot - 1];
            if (e.Hash == hash && e.Line == line && e.FileLength == file.Length
                && e.Key.AsSpan(0, e.FileLength).SequenceEqual(file) && e.Key.AsSpan(e.FileLength).SequenceEqual(function))
            {
                added = false;
                return slot - 1;
            }
        }
        added = true;
        var key = new byte[file.Length + function.Length];
        file.CopyTo(key);
        function.CopyTo(key.AsSpan(file.Length));
        _entries.Add(new Entry(key, file.Length, line, hash));
        if (_entries.Count * 2 > _slots.Length) Grow();
        else Place(_slots, _entries.Count - 1, hash);
        return _entries.Count - 1;
    }

    public int Intern(string file, int line, string function, out bool added)
    {
        int fileBytes = Encoding.UTF8.GetByteCount(file), total = fileBytes + Encoding.UTF8.GetByteCount(function);
        if (_scratch.Length < total) _scratch = new byte[Math.Max(total, _scratch.Length * 2)];
        Encoding.UTF8.GetBytes(file, _scratch);
        Encoding.UTF8.GetBytes(function, _scratch.AsSpan(fileBytes));
        return Intern(_scratch.AsSpan(0, fileBytes), line, _scratch.AsSpan(fileBytes, total - fileBytes), out added);
    }

    // Eight bytes at a time and one final mix: HashCode.AddBytes, four bytes at a time, was a tenth of the reader thread.
    static int Hash(ReadOnlySpan<byte> file, int line, ReadOnlySpan<byte> function)
    {
        ulong h = Mix((ulong)(uint)line << 32 | (uint)file.Length, file);
        h = Mix(h, function);
        h ^= h >> 33; // murmur3's finaliser: every input bit reaches the low bits the table is indexed by
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        return (int)h;
    }

    static ulong Mix(ulong h, ReadOnlySpan<byte> bytes)
    {
        const ulong Prime = 0x9E3779B97F4A7C15UL;
        while (bytes.Length >= 8)
        {
            h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * Prime, 29);
            bytes = bytes[8..];
        }
        ulong tail = (ulong)bytes.Length << 56;
        for (int i = 0; i < bytes.Length; i++) tail |= (ulong)bytes[i] << (8 * i);
        return BitOperations.RotateLeft((h ^ tail) * Prime, 29);
    }

    void Grow()
    {
        var slots = new int[_slots.Length * 2];
        for (int i = 0; i < _entries.Count; i++) Place(slots, i, _entries[i].Hash);
        _slots = slots;
    }

    static void Place(int[] slots, int index, int hash)
    {
        int mask = slots.Length - 1;
        int i = hash & mask;
        while (slots[i] != 0) i = (i + 1) & mask;
        slots[i] = index + 1;
    }
}
